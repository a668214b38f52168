/**
 * `gxcat init`: a data directory with the node key, an issuer key and the config.
 */
import type { Command } from 'commander'
import { DEFAULT_DATA_DIR } from '../../constants.ts'
import { action } from '../errors.ts'

export function registerInit (program: Command): void {
  program.command('init')
    .description('create a data directory: node key, issuer key (issuer-key.json) and config.json')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(action(async (opts: { data: string }) => {
      const { initDataDir } = await import('../../config.ts')
      const { peerId, issuer, config } = await initDataDir(opts.data)
      process.stdout.write(`initialised ${opts.data}\npeer id: ${peerId}\nissuer: ${issuer}\nhttp: ${config.http}\nwrite token: in ${opts.data}/config.json\n`)
    }))
}
