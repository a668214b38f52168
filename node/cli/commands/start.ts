/**
 * `gxcat start`: runs a node until SIGINT/SIGTERM.
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import type { NodeConfig } from '../../config.ts'
import { DEFAULT_DATA_DIR } from '../../constants.ts'
import type { RunNodeOptions, RunningNode } from '../../run-node.ts'
import { action } from '../errors.ts'
import { collect } from '../io.ts'

export interface StartOptions {
  data: string
  http?: string
  listen: string[]
  bootstrap: string[]
  memory?: boolean
  trust?: 'open' | 'anchors'
  trustAnchor: string[]
  trustIssuer: string[]
  complianceIssuer: string[]
  didWebOrigin: string[]
  gossip: boolean
  cors: string[]
  allowedHost: string[]
  queryTimeout?: number
  announce: string[]
  reachability?: 'public' | 'private' | 'auto'
  relay?: boolean
  upnp?: boolean
  tlsCert?: string
  tlsKey?: string
  sparqlWorkers?: number
  sparqlBudget?: number
  sparqlStore?: string
  sparqlStoreUser?: string
  sparqlStorePassword?: string
  sparqlStoreGraphs?: string
  sparqlIndex?: 'on' | 'off'
  keepVersions?: number
  accessLog?: boolean
  workers?: number
}

const nonEmpty = (list: string[]): string[] | undefined => list.length > 0 ? list : undefined

/** The options `start` and `bootstrap` share. */
export function addNodeOptions (command: Command): Command {
  return command
    .option('--data <dir>', 'data directory (initialised if it has no config)', DEFAULT_DATA_DIR)
    .option('--http <host:port>', 'HTTP API address (default from config: 127.0.0.1:7420)')
    .option('--listen <multiaddr>', 'libp2p listen address: TCP, WebSockets /ip4/…/tcp/PORT/ws behind a TLS reverse proxy, or /wss with --tls-cert (repeatable; default from config: /ip4/0.0.0.0/tcp/0)', collect, [])
    .option('--announce <multiaddr>', 'an address to tell others instead of those listened on, e.g. /dns4/node.example/tcp/443/wss behind a TLS reverse proxy (repeatable)', collect, [])
    .addOption(new Option('--reachability <public|private|auto>', 'whether others can dial this node: private (behind NAT) asks the DHT as a client, reserves a relay slot and announces only relayed addresses; public serves and relays; auto lets AutoNAT decide (default from config: auto)').choices(['public', 'private', 'auto']))
    .option('--relay', 'relay for unreachable peers when this node is reachable, within bounded reservations and data (default from config: on)')
    .option('--no-relay', 'do not relay for others')
    .option('--upnp', 'ask the local router (UPnP IGD) to forward the listening ports')
    .option('--tls-cert <cert.pem>', 'certificate (with its chain) of /wss listen addresses')
    .option('--tls-key <key.pem>', 'its private key')
    .option('--bootstrap <multiaddr|file>', 'bootstrap peer /ip4/…/tcp/…/p2p/ID, or a bootstrap list file (repeatable)', collect, [])
    .option('--memory', 'keep the replica in memory only: nothing is written to the data directory\'s store')
    .addOption(new Option('--trust <policy>', 'what this node stores').choices(['open', 'anchors']))
    .option('--trust-anchor <cert.pem>', 'trust-anchor certificate (repeatable)', collect, [])
    .option('--trust-issuer <did>', 'trusted issuer DID, also allowed to revoke any entry (repeatable)', collect, [])
    .option('--compliance-issuer <did>', 'a Gaia-X compliance issuer (clearing house) whose label credentials mark what they cover as compliant (repeatable; added to imported lists)', collect, [])
    .option('--did-web-origin <HOST=URL>', 'fetch did:web documents of HOST from URL (repeatable)', collect, [])
    .option('--no-gossip', 'do not take part in gossip (fetch from the DHT only)')
    .option('--cors <origin>', 'a browser origin (https://app.example) allowed to read the HTTP API cross-site (repeatable; none by default)', collect, [])
    .option('--query-timeout <seconds>', 'longest a SPARQL query may run before it is stopped (default from config: 10)', Number)
    .option('--sparql-workers <n>', 'SPARQL engines, each holding the whole index, so that queries are answered while one is stopped (default from config: 1 on loopback, 2 beyond)', Number)
    .option('--sparql-budget <seconds>', 'SPARQL query time each client (address, or the operator by token) may use per minute; past it 429 QueryBudgetError (default from config: 60)', Number)
    .option('--sparql-store <url>', 'an external SPARQL 1.1 store (e.g. Virtuoso\'s http://HOST:8890/sparql-auth) kept in step with the replica, which then answers SPARQL in place of an index in memory')
    .option('--sparql-store-user <name>', 'account on the SPARQL store (Basic or Digest, as it asks)')
    .option('--sparql-store-password <password>', 'its password (or GXCAT_SPARQL_STORE_PASSWORD, which ps does not show)')
    .option('--sparql-store-graphs <url|none>', 'the store\'s Graph Store HTTP Protocol endpoint, where each graph is put whole (default: Virtuoso\'s /sparql-graph-crud beside a /sparql URL; none: SPARQL Update only)')
    .addOption(new Option('--sparql-index <on|off>', 'keep the SPARQL index in memory: off answers SPARQL only from --sparql-store, or not at all (default: on, off with --sparql-store)').choices(['on', 'off']))
    .option('--keep-versions <n>', 'versions kept per entry, the current one included; older ones are pruned (default from config: 3)', Number)
    .option('--workers <n>', 'worker threads that check signatures and run the official shapes, and from two on decode and check credentials (0: none; default from config: one per core but one, up to 8)', Number)
    .option('--access-log', 'log every HTTP request (off by default: it costs throughput)')
    .option('--allowed-host <name>', 'a Host name the HTTP API answers to besides its address, e.g. its public DNS name (repeatable)', collect, [])
}

/** Initialises the data directory if needed and runs the node the options describe. */
export async function startFromOptions (opts: StartOptions, extra: Partial<RunNodeOptions> = {}): Promise<RunningNode> {
  const { CONFIG_FILE, initDataDir, loadConfig } = await import('../../config.ts')
  try {
    await access(join(opts.data, CONFIG_FILE))
  } catch {
    await initDataDir(opts.data)
    process.stdout.write(`initialised ${opts.data}\n`)
  }
  const overrides: Partial<NodeConfig> = {
    http: opts.http,
    listen: nonEmpty(opts.listen),
    announce: nonEmpty(opts.announce),
    reachability: opts.reachability,
    relay: opts.relay,
    upnp: opts.upnp,
    tlsCert: opts.tlsCert,
    tlsKey: opts.tlsKey,
    bootstrap: nonEmpty(opts.bootstrap),
    trust: opts.trust,
    trustAnchors: nonEmpty(opts.trustAnchor),
    trustedIssuers: nonEmpty(opts.trustIssuer),
    complianceIssuers: nonEmpty(opts.complianceIssuer),
    didWebOrigins: nonEmpty(opts.didWebOrigin),
    gossip: opts.gossip ? undefined : false,
    cors: nonEmpty(opts.cors),
    allowedHosts: nonEmpty(opts.allowedHost),
    queryTimeoutMs: opts.queryTimeout != null ? opts.queryTimeout * 1000 : undefined,
    sparqlWorkers: opts.sparqlWorkers,
    sparqlBudget: opts.sparqlBudget,
    sparqlStore: opts.sparqlStore,
    sparqlStoreUser: opts.sparqlStoreUser,
    sparqlStorePassword: opts.sparqlStorePassword ?? process.env.GXCAT_SPARQL_STORE_PASSWORD,
    sparqlStoreGraphs: opts.sparqlStoreGraphs,
    sparqlIndex: opts.sparqlIndex,
    keepVersions: opts.keepVersions,
    accessLog: opts.accessLog,
    workers: opts.workers
  }
  // the shape workers parse the official shapes while the rest of the node loads: a node that
  // answers is then about ready to check what peers and clients send it
  const { warmShapesEarly } = await import('../../verification/shapes-warmup.ts')
  warmShapesEarly(opts.memory === true ? undefined : opts.data, opts.workers ?? (await loadConfig(opts.data)).workers)
  const { runNode } = await import('../../run-node.ts')
  return runNode({ dataDir: opts.data, config: overrides, memory: opts.memory, ...extra })
}

/** Prints what a running node is and stops it cleanly on SIGINT/SIGTERM. */
export function runUntilSignalled (running: RunningNode, title: string): void {
  process.stdout.write(`${title}\npeer id: ${running.peerId}\n${running.addrs.map(a => `listening: ${a}\n`).join('')}http: ${running.url}\nweb page: ${running.url}/\n`)
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`${signal}: stopping\n`)
    running.stop().then(() => process.exit(0), err => {
      process.stderr.write(`${err.name}: ${err.message}\n`)
      process.exit(1)
    })
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
}

export function registerStart (program: Command): void {
  addNodeOptions(program.command('start').description('run a catalogue node'))
    .action(action(async (opts: StartOptions) => {
      runUntilSignalled(await startFromOptions(opts), 'gxcat node running')
    }))
}
