/**
 * `gxcat peers`: the peers a node is connected to.
 */
import type { Command } from 'commander'
import { clientOf } from '../client.ts'
import { action } from '../errors.ts'

export function registerPeers (program: Command): void {
  program.command('peers')
    .description('list the peers a node is connected to')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .action(action(async (opts: { node?: string }) => {
      process.stdout.write(JSON.stringify({ peers: await clientOf(opts).peers() }, null, 2) + '\n')
    }))
}
