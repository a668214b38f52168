/**
 * `gxcat verify`: checks a VC-JWT and prints {valid, issuer, subject, types, cid, validFrom},
 * and the certificate chain it checked when the issuer's key has one (x5u). With trust anchors
 * or trusted issuers, the credential must also pass the `anchors` trust policy.
 */
import type { Command } from 'commander'
import { action, reportError, UsageError } from '../errors.ts'
import { collect, readInput } from '../io.ts'

interface VerifyOptions {
  didWebOrigin: string[]
  trustAnchor: string[]
  trustIssuer: string[]
  at?: string
}

export function registerVerify (program: Command): void {
  program.command('verify')
    .description('verify a signed self-description (VC-JWT), or each credential of a presentation (VP-JWT, JSON-LD envelope or presentation); exit 1 if any is invalid')
    .argument('<file>', 'file holding the compact JWS or JSON-LD, or - for standard input')
    .option('--did-web-origin <HOST=URL>', 'fetch did:web documents and certificate chains of HOST from URL instead (repeatable)', collect, [])
    .option('--trust-anchor <cert.pem>', 'require the issuer key\'s certificate chain (x5u) to end at this anchor (repeatable)', collect, [])
    .option('--trust-issuer <did>', 'accept this issuer without a certificate chain (repeatable)', collect, [])
    .option('--at <ISO>', 'judge validity and certificate dates as of this time instead of now')
    .action(action(async (file: string, opts: VerifyOptions) => {
      const {
        createDidResolver, createStatusChecker, isRfc3339, readSubmission, summarizeChain, unsignedError, validateSubmission, verifyCredential
      } = await import('../../../protocols/self-description/index.ts')
      const { loadTrustPolicy } = await import('../../trust-anchors.ts')
      const anchored = opts.trustAnchor.length > 0 || opts.trustIssuer.length > 0
      const trust = await loadTrustPolicy({ trust: anchored ? 'anchors' : 'open', trustAnchors: opts.trustAnchor, trustedIssuers: opts.trustIssuer })
      const resolver = createDidResolver({ originOverrides: opts.didWebOrigin })
      const status = createStatusChecker({ resolver })
      if (opts.at != null && !isRfc3339(opts.at)) throw new UsageError(`--at takes an RFC 3339 date-time (such as 2025-03-07T00:00:00Z), not "${opts.at}"`)
      const now = opts.at == null ? undefined : Date.parse(opts.at)
      const text = await readInput(file)
      let chain
      try {
        const submission = readSubmission(text, 'the input')
        if (submission.kind === 'json-ld') throw unsignedError()
        if (submission.kind !== 'credential') {
          if (anchored) throw new UsageError('--trust-anchor and --trust-issuer judge one credential: verify the credentials of a presentation one by one')
          // a presentation: each credential judged on its own, as publishing would
          const report = await validateSubmission(submission, { resolver, status, now })
          const valid = (report.presentation?.valid ?? true) && (report.credentials ?? [report]).every(c => c.signature?.valid === true && c.conforms)
          process.stdout.write(JSON.stringify({ valid, ...report }, null, 2) + '\n')
          if (!valid) process.exitCode = 1
          return
        }
        const verified = await verifyCredential(submission.jws, { resolver, status, now })
        chain = verified.chain
        trust.assertTrusted(verified)
        const { issuer, subject, types, cid, entry, validFrom, validUntil } = verified
        const anchor = chain != null && anchored ? trust.anchorOf(chain) : undefined
        process.stdout.write(JSON.stringify({
          valid: true,
          issuer,
          subject,
          types,
          cid,
          entry,
          validFrom,
          validUntil,
          ...(chain != null ? { chain: summarizeChain(chain) } : {}),
          trust: anchored ? { policy: 'anchors', ...(anchor != null ? { anchor: anchor.subject.replace(/\n/g, ', ') } : { trustedIssuer: issuer }) } : { policy: 'open' }
        }, null, 2) + '\n')
      } catch (err: any) {
        process.stdout.write(JSON.stringify({ valid: false, error: { name: err.name, message: err.message }, ...(chain != null ? { chain: summarizeChain(chain) } : {}) }, null, 2) + '\n')
        reportError(err)
      }
    }))
}
