/**
 * `gxcat revoke`: signs a revocation of one of the key's entries and publishes it.
 */
import type { Command } from 'commander'
import { clientOf } from '../client.ts'
import { action } from '../errors.ts'
import { readKeyFile } from '../io.ts'

export function registerRevoke (program: Command): void {
  program.command('revoke')
    .description('revoke an entry: ENTRY is its credentialSubject.id (the issuer is the key\'s DID unless --issuer)')
    .argument('<entry>', 'credentialSubject.id of the entry')
    .requiredOption('--key <file>', 'the issuer key (or a trust anchor\'s key, with --issuer)')
    .option('--issuer <did>', 'issuer of the entry, when revoking as a trust anchor')
    .option('--reason <text>', 'why')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .option('--token <token>', 'write token (default $GXCAT_TOKEN)')
    .action(action(async (subject: string, opts: { key: string, issuer?: string, reason?: string, node?: string, token?: string }) => {
      const key = await readKeyFile(opts.key)
      const { signRevocation } = await import('../../../protocols/self-description/revocation.ts')
      const jws = await signRevocation(subject, key, { issuer: opts.issuer, reason: opts.reason })
      process.stdout.write(JSON.stringify(await clientOf(opts).revoke(jws), null, 2) + '\n')
    }))
}
