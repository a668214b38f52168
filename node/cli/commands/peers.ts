/**
 * `gxcat peers`: the peers a node is connected to.
 */
import type { Command } from 'commander'
import { call, nodeUrl } from '../client.ts'
import { action } from '../errors.ts'

export function registerPeers (program: Command): void {
  program.command('peers')
    .description('list the peers a node is connected to')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .action(action(async (opts: { node?: string }) => {
      const { body } = await call({ node: nodeUrl(opts.node) }, 'GET', '/v1/peers')
      process.stdout.write(JSON.stringify(body, null, 2) + '\n')
    }))
}
