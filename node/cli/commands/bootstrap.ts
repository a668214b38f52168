/**
 * `gxcat bootstrap`: runs a bootstrap node: a full catalogue node on a fixed port, with room
 * for many connections, that serves the peer list; it prints (and can write) the bootstrap
 * list that other nodes pass to `gxcat start --bootstrap`.
 */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { BOOTSTRAP_MAX_CONNECTIONS, DEFAULT_BOOTSTRAP_LISTEN } from '../../constants.ts'
import { action } from '../errors.ts'
import { addNodeOptions, runUntilSignalled, startFromOptions, type StartOptions } from './start.ts'

export function registerBootstrap (program: Command): void {
  addNodeOptions(program.command('bootstrap').description(`run a bootstrap node (default listen ${DEFAULT_BOOTSTRAP_LISTEN}, reachability public) and print its bootstrap list`))
    .option('--write-list <file>', 'also write the bootstrap list to this file')
    .action(action(async (opts: StartOptions & { writeList?: string }) => {
      // others dial a bootstrap node by definition: it serves the DHT and relays from the start,
      // without waiting for AutoNAT, which a network of a few nodes may never give enough peers
      const running = await startFromOptions({ ...opts, listen: opts.listen.length > 0 ? opts.listen : [DEFAULT_BOOTSTRAP_LISTEN], reachability: opts.reachability ?? 'public' }, { maxConnections: BOOTSTRAP_MAX_CONNECTIONS })
      const { formatBootstrapList } = await import('../../../bootstrap/index.ts')
      const list = formatBootstrapList(running.addrs, `gxcat bootstrap node ${running.peerId}; pass this file or a line of it to gxcat start --bootstrap`)
      if (opts.writeList != null) await writeFile(opts.writeList, list)
      runUntilSignalled(running, 'gxcat bootstrap node running')
      process.stdout.write(`bootstrap list:\n${list}`)
    }))
}
