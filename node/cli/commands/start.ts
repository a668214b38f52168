/**
 * `gxcat start`: runs a node until SIGINT/SIGTERM.
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import { CONFIG_FILE, initDataDir, type NodeConfig } from '../../config.ts'
import { DEFAULT_DATA_DIR } from '../../constants.ts'
import { runNode } from '../../run-node.ts'
import { action } from '../errors.ts'
import { collect } from '../io.ts'

interface StartOptions {
  data: string
  http?: string
  listen: string[]
  bootstrap: string[]
  memory?: boolean
  trust?: 'open' | 'anchors'
  trustAnchor: string[]
  trustIssuer: string[]
  didWebOrigin: string[]
  gossip: boolean
}

const nonEmpty = (list: string[]): string[] | undefined => list.length > 0 ? list : undefined

export function registerStart (program: Command): void {
  program.command('start')
    .description('run a catalogue node (initialises the data directory if it has no config)')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--http <host:port>', 'HTTP API address (default from config: 127.0.0.1:7420)')
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable)', collect, [])
    .option('--bootstrap <multiaddr>', 'bootstrap peer (repeatable)', collect, [])
    .option('--memory', 'also listen on the in-process memory transport')
    .addOption(new Option('--trust <policy>', 'what this node stores').choices(['open', 'anchors']))
    .option('--trust-anchor <cert.pem>', 'trust-anchor certificate (repeatable)', collect, [])
    .option('--trust-issuer <did>', 'trusted issuer DID (repeatable)', collect, [])
    .option('--did-web-origin <HOST=URL>', 'fetch did:web documents of HOST from URL (repeatable)', collect, [])
    .option('--no-gossip', 'do not take part in gossip (fetch from the DHT and sync only)')
    .action(action(async (opts: StartOptions) => {
      try {
        await access(join(opts.data, CONFIG_FILE))
      } catch {
        await initDataDir(opts.data)
        process.stdout.write(`initialised ${opts.data}\n`)
      }
      const overrides: Partial<NodeConfig> = {
        http: opts.http,
        listen: nonEmpty(opts.listen),
        bootstrap: nonEmpty(opts.bootstrap),
        trust: opts.trust,
        trustAnchors: nonEmpty(opts.trustAnchor),
        trustedIssuers: nonEmpty(opts.trustIssuer),
        didWebOrigins: nonEmpty(opts.didWebOrigin),
        gossip: opts.gossip ? undefined : false
      }
      const running = await runNode({ dataDir: opts.data, config: overrides })
      process.stdout.write(`gxcat node running\npeer id: ${running.peerId}\n${running.addrs.map(a => `listening: ${a}\n`).join('')}http: ${running.url}\ndata: ${opts.data}\n`)
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
    }))
}
