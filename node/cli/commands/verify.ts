/**
 * `gxcat verify`: checks a VC-JWT and prints {valid, issuer, subject, types, cid, validFrom}.
 */
import type { Command } from 'commander'
import { createDidResolver, verifyCredential } from '../../../protocols/self-description/index.ts'
import { action, reportError } from '../errors.ts'
import { collect, readInput } from '../io.ts'

export function registerVerify (program: Command): void {
  program.command('verify')
    .description('verify a signed self-description (VC-JWT); exit 1 if it is invalid')
    .argument('<file>', 'file holding the compact JWS, or - for standard input')
    .option('--did-web-origin <HOST=URL>', 'fetch did:web documents of HOST from URL instead (repeatable)', collect, [])
    .action(action(async (file: string, opts: { didWebOrigin: string[] }) => {
      const resolver = createDidResolver({ originOverrides: opts.didWebOrigin })
      const text = await readInput(file)
      try {
        const verified = await verifyCredential(text.trim(), { resolver })
        const { issuer, subject, types, cid, entry, validFrom, validUntil } = verified
        process.stdout.write(JSON.stringify({ valid: true, issuer, subject, types, cid, entry, validFrom, validUntil }, null, 2) + '\n')
      } catch (err: any) {
        process.stdout.write(JSON.stringify({ valid: false, error: { name: err.name, message: err.message } }, null, 2) + '\n')
        reportError(err)
      }
    }))
}
