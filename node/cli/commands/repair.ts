/**
 * `gxcat repair`: rebuilds a damaged store (the node refused to start with StoreCorruptionError)
 * from what is left of it, then fetches what could not be salvaged from peers by sync: the
 * bootstrap peers of the config and any --peer. The node must not be running.
 */
import type { Command } from 'commander'
import { DEFAULT_DATA_DIR, second } from '../../constants.ts'
import { runningNodePid } from '../../pid-file.ts'
import { action, UsageError } from '../errors.ts'
import { collect } from '../io.ts'

interface RepairOptions {
  data: string
  peer: string[]
  offline?: boolean
  wait: number
}

const say = (line: string): void => { process.stderr.write(line + '\n') }

export function registerRepair (program: Command): void {
  program.command('repair')
    .description('rebuild a damaged store from what is left of it, then fetch the rest from peers by sync')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--peer <multiaddr>', 'a peer to fetch from, /ip4/…/tcp/…/p2p/ID (repeatable; besides the bootstrap peers of the config)', collect, [])
    .option('--offline', 'rebuild what is local only; the node fetches the rest when it next syncs')
    .option('--wait <seconds>', 'how long to wait for peers to connect', Number, 20)
    .action(action(async (opts: RepairOptions) => {
      const { loadConfig } = await import('../../config.ts')
      const { repairStore } = await import('../../store/repair.ts')
      const config = await loadConfig(opts.data)
      const pid = await runningNodePid(opts.data)
      if (pid != null) throw new UsageError(`a gxcat node (pid ${pid}) is running on ${opts.data}: stop it first`)
      let lastPhase = ''
      const local = await repairStore(opts.data, {
        keepVersions: config.keepVersions,
        onProgress: ({ phase, done, total }) => {
          if (phase !== lastPhase || done === total || done % 10_000 === 0) say(`repair: ${phase} ${done}/${total}`)
          lastPhase = phase
        }
      })
      say(`repair: rebuilt ${local.entries} entries (${local.versions} versions, ${local.revocations} revocations) from what was left; ${local.damaged} damaged records left out`)
      if (local.movedTo != null) say(`repair: the damaged store is kept at ${local.movedTo} (delete it once the node runs)`)
      const summary: Record<string, unknown> = { local }
      if (opts.offline !== true) summary.fetched = await fetchFromPeers(opts, config.bootstrap, local.entries)
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
    }))
}

/** Runs the node on the repaired store just long enough to sync with every peer it reaches. */
async function fetchFromPeers (opts: RepairOptions, bootstrap: string[], localEntries: number): Promise<Record<string, unknown>> {
  const peers = [...opts.peer, ...bootstrap]
  if (peers.length === 0) {
    say('repair: no peers to fetch from (no --peer and no bootstrap peers in the config); the node fetches the rest when it next syncs')
    return { peers: 0 }
  }
  const { runNode } = await import('../../run-node.ts')
  const { pino } = await import('pino')
  const running = await runNode({ dataDir: opts.data, config: { http: '127.0.0.1:0', bootstrap: peers, listen: ['/ip4/127.0.0.1/tcp/0'] }, logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)) })
  try {
    const deadline = Date.now() + opts.wait * second
    while (running.network.libp2p.getPeers().length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
    const connected = running.network.libp2p.getPeers().map(p => p.toString())
    if (connected.length === 0) throw new UsageError(`no peer answered within ${opts.wait} s (${peers.join(', ')}); the local rebuild stands, run gxcat repair again or start the node`)
    // a session started on connecting may already be under way: each peer is synced once more after it
    for (const peer of connected) {
      try {
        await running.network.syncWith(peer)
      } catch (err: any) {
        say(`repair: sync with ${peer} failed: ${err.name}: ${err.message}`)
      }
    }
    const { entries } = running.node.counts()
    say(`repair: fetched ${entries - localEntries} entries from ${connected.length} peers; the store now holds ${entries} entries`)
    return { peers: connected.length, fetched: entries - localEntries, entries }
  } finally {
    await running.stop()
  }
}
