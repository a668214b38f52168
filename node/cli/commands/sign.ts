/**
 * `gxcat sign`: wraps a credential (or a bare credentialSubject) as a VC and prints the JWS.
 */
import { Option, type Command } from 'commander'
import type { Vocabulary } from '../../../protocols/self-description/index.ts'
import { action } from '../errors.ts'
import { readJsonFile, readKeyFile } from '../io.ts'

export function registerSign (program: Command): void {
  program.command('sign')
    .description('sign a self-description (a credential or a bare credentialSubject) and print the compact JWS (VC-JWT)')
    .argument('<file>', 'JSON file, or - for standard input')
    .requiredOption('--key <file>', 'issuer key file (from gxcat keygen)')
    .option('--valid-from <iso>', 'validFrom of the credential (default: now)')
    .addOption(new Option('--vocab <release>', 'Gaia-X vocabulary for a bare credentialSubject').choices(['development', '2511']).default('development'))
    .action(action(async (file: string, opts: { key: string, validFrom?: string, vocab: Vocabulary }) => {
      const key = await readKeyFile(opts.key)
      const input = await readJsonFile(file)
      const { signCredential } = await import('../../../protocols/self-description/sign.ts')
      const jws = await signCredential(input, key, { validFrom: opts.validFrom, vocabulary: opts.vocab })
      process.stdout.write(jws + '\n')
    }))
}
