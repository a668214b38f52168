/**
 * `gxcat sync`: anti-entropy on demand: the node reconciles its catalogue with one peer now.
 */
import type { Command } from 'commander'
import { clientOf } from '../client.ts'
import { action } from '../errors.ts'

export function registerSync (program: Command): void {
  program.command('sync')
    .description('reconcile the node\'s catalogue with a peer now and print what moved')
    .option('--peer <id|multiaddr>', 'the peer (default: a random connected one)')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .option('--token <token>', 'write token (default $GXCAT_TOKEN)')
    .action(action(async (opts: { peer?: string, node?: string, token?: string }) => {
      process.stdout.write(JSON.stringify(await clientOf(opts).sync({ peer: opts.peer }), null, 2) + '\n')
    }))
}
