/**
 * A whole node as a participant runs it: the catalogue core on a data directory, the HTTP
 * API, and (when the network layer is enabled) libp2p. Used by `gxcat start` and tests.
 */
import { readFile } from 'node:fs/promises'
import { pino, type Logger as PinoLogger } from 'pino'
import { createCatalogueNode, type CatalogueNode } from './catalogue-node.ts'
import { checkConfig, loadConfig, loadNodeKey, parseHostPort, type NodeConfig } from './config.ts'
import { removePidFile, stopPreviousNode, writePidFile } from './pid-file.ts'
import { MemoryLevel } from 'memory-level'
import { resolveBootstrapList } from '../bootstrap/index.ts'
import { HTTP_CLOSE_GRACE_MS, SPARQL_PROGRESS_LOG_MS } from './constants.ts'
import { NotFoundError } from './errors.ts'
import { loadTrustPolicy } from './trust-anchors.ts'
import { complianceIssuersInForce, loadTrustLists, trustListsInForce } from './trust-lists.ts'
import { createHttpApi, isLoopback } from './http/server.ts'
import { createCatalogueNetwork, type CatalogueNetwork } from './network/catalogue-network.ts'
import type { Database } from './store/catalogue-store.ts'
import type { FastifyInstance } from 'fastify'
import type { SyncStats } from '../protocols/sync/index.ts'

export interface RunNodeOptions {
  dataDir: string
  /** overrides of the config file */
  config?: Partial<NodeConfig>
  logger?: PinoLogger
  /** keep the replica in memory only (nothing written to DIR/store) */
  memory?: boolean
  /** @default 100 */
  maxConnections?: number
}

export interface RunningNode {
  node: CatalogueNode
  http: FastifyInstance
  url: string
  peerId: string
  addrs: string[]
  network: CatalogueNetwork
  config: NodeConfig
  stop (): Promise<void>
}

export async function runNode (options: RunNodeOptions): Promise<RunningNode> {
  const fileConfig = await loadConfig(options.dataDir)
  const config: NodeConfig = checkConfig({ ...fileConfig, ...Object.fromEntries(Object.entries(options.config ?? {}).filter(([, v]) => v !== undefined)) })
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2))
  const privateKey = await loadNodeKey(options.dataDir)
  const { host, port } = parseHostPort(config.http)
  const requireToken = !isLoopback(host)

  const previous = await stopPreviousNode(options.dataDir)
  if (previous != null) logger.warn({ pid: previous }, 'another gxcat node held this data directory; asked it to stop and taking over')
  const imported = trustListsInForce(await loadTrustLists(options.dataDir))
  const trust = await loadTrustPolicy(config, imported)
  if (trust.mode === 'open' && config.trustAnchors.length > 0) logger.warn('trust anchors are configured but the trust policy is "open": they are not used to decide what is stored (start with --trust anchors)')
  const bootstrap = await resolveBootstrapList(config.bootstrap)
  const node = createCatalogueNode({
    dataDir: options.dataDir,
    // one node per process: its memory, CPU and event-loop lag are the node's
    processMetrics: true,
    db: options.memory === true ? new MemoryLevel<string, any>({ valueEncoding: 'json' }) as unknown as Database : undefined,
    didWebOrigins: config.didWebOrigins,
    revokers: config.trustedIssuers,
    queryTimeoutMs: config.queryTimeoutMs,
    // a public node keeps answering SPARQL while a query that ran too long is stopped and its
    // engine loaded again; a loopback node (the operator's own tools) saves the second index
    sparqlWorkers: config.sparqlWorkers ?? (requireToken ? 2 : 1),
    sparqlBudget: { ms: config.sparqlBudget * 1000, windowMs: 60_000 },
    sparqlStore: config.sparqlStore == null ? undefined : { url: config.sparqlStore, user: config.sparqlStoreUser, password: config.sparqlStorePassword, graphStore: config.sparqlStoreGraphs === 'none' ? false : config.sparqlStoreGraphs },
    sparql: config.sparqlIndex !== 'off' || config.sparqlStore != null,
    keepVersions: config.keepVersions,
    shapesWorkers: config.workers,
    complianceIssuers: complianceIssuersInForce(config.complianceIssuers, imported),
    trust
  })
  await node.start()
  const stopSparqlLog = logSparqlRebuild(node, logger)
  await writePidFile(options.dataDir)
  const network = await createCatalogueNetwork(node, {
    privateKey,
    listen: config.listen,
    announce: config.announce,
    reachability: config.reachability,
    relay: config.relay,
    upnp: config.upnp,
    ...(config.tlsCert != null && config.tlsKey != null ? { tls: { cert: await readFile(config.tlsCert, 'utf8'), key: await readFile(config.tlsKey, 'utf8') } } : {}),
    bootstrap,
    gossip: config.gossip,
    maxConnections: options.maxConnections
  })
  const syncWith = async (peer?: string): Promise<SyncStats & { peer: string }> => {
    const target = peer ?? network.libp2p.getPeers()[Math.floor(Math.random() * network.libp2p.getPeers().length)]?.toString()
    if (target == null) throw new NotFoundError('no peer to sync with: pass one, or connect first')
    return { peer: target, ...await network.syncWith(target) }
  }
  const http = createHttpApi({ node, network, findEntry: network.findEntry, syncWith, token: config.token, requireToken, logger, accessLog: config.accessLog, cors: config.cors, allowedHosts: config.allowedHosts, loopbackOnly: isLoopback(host) })
  try {
    await network.start()
    await http.listen({ host, port })
  } catch (err) {
    stopSparqlLog()
    await network.stop().catch(() => {})
    await node.stop()
    throw err
  }
  const address = http.server.address()
  const boundPort = typeof address === 'object' && address != null ? address.port : port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`
  const peerId = network.peerId()
  logger.info({ peerId, addrs: network.addrs(), url, entries: node.counts().entries }, 'gxcat node started')
  return {
    node,
    http,
    url,
    peerId,
    addrs: network.addrs(),
    network,
    config,
    async stop () {
      // requests still running (a SPARQL query up to its budget) do not hold the stop up
      const closing = http.close()
      const force = setTimeout(() => { http.server.closeAllConnections() }, HTTP_CLOSE_GRACE_MS)
      await closing
      clearTimeout(force)
      stopSparqlLog()
      await network.stop()
      await node.stop()
      await removePidFile(options.dataDir)
      logger.info('gxcat node stopped')
    }
  }
}

/**
 * A large replica's SPARQL index takes a while to load after a start (about 5 s per 100,000
 * entries): the operator sees how far it is, and when SPARQL answers. Returns what stops it.
 */
function logSparqlRebuild (node: CatalogueNode, logger: PinoLogger): () => void {
  if (node.sparqlStatus().state !== 'rebuilding') return () => {}
  const progress = setInterval(() => {
    const status = node.sparqlStatus()
    if (status.state === 'rebuilding') logger.info({ loaded: status.loaded, total: status.total }, 'loading the SPARQL index')
  }, SPARQL_PROGRESS_LOG_MS).unref()
  const rebuilt = (event: CustomEvent<{ entries: number, ms: number }>): void => {
    clearInterval(progress)
    logger.info({ entries: event.detail.entries, ms: event.detail.ms }, 'SPARQL index loaded: SPARQL answers')
  }
  node.addEventListener('sparql:rebuilt', rebuilt, { once: true })
  return () => {
    clearInterval(progress)
    node.removeEventListener('sparql:rebuilt', rebuilt)
  }
}
