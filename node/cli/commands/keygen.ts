/**
 * `gxcat keygen`: a new issuer key (private JWK with its did:key kid) written to a file.
 */
import { writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { didOf, generateIssuerKey, type KeyType } from '../../../protocols/self-description/keys.ts'
import { action, UsageError } from '../errors.ts'

export function registerKeygen (program: Command): void {
  program.command('keygen')
    .description('create a new issuer key (private JWK) and print its did:key')
    .addOption(new Option('--type <type>', 'key type').choices(['ed25519', 'p256']).default('ed25519'))
    .requiredOption('--out <file>', 'where to write the private key (JSON, mode 0600)')
    .action(action(async (opts: { type: KeyType, out: string }) => {
      const key = generateIssuerKey(opts.type)
      try {
        await writeFile(opts.out, JSON.stringify(key, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
      } catch (err: any) {
        throw new UsageError(err.code === 'EEXIST' ? `${opts.out} exists; refusing to overwrite a key` : `cannot write ${opts.out}: ${err.message}`)
      }
      process.stdout.write(didOf(key.kid) + '\n')
    }))
}
