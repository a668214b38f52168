/**
 * Publishing, reading and listing self-descriptions, and revocations.
 */
import { X509Certificate } from 'node:crypto'
import { entryId, summarizeChain, type CertificateSummary, type TrustPolicy } from '../../../protocols/self-description/index.ts'
import { InvalidQueryError } from '../../errors.ts'
import { flag, one } from '../query-params.ts'
import type { ApiContext } from '../api-context.ts'
import type { VersionView } from '../../catalogue-node.ts'

function item (version: VersionView, withJws = false): Record<string, unknown> {
  return {
    cid: version.cid,
    entry: version.entry,
    issuer: version.issuer,
    subject: version.subject,
    types: version.types,
    validFrom: version.validFrom,
    ...(version.validUntil != null ? { validUntil: version.validUntil } : {}),
    status: version.status,
    compliance: version.compliance,
    credential: version.credential,
    ...(withJws ? { jws: version.jws, ...chainOf(version) } : {})
  }
}

/** The issuer key's certificate chain (x5u) the node checked, stored as PEM: each certificate summarised. */
function chainOf (version: VersionView): { chain?: { url: string, certificates: CertificateSummary[] } } {
  const stored = version.chain as unknown as { url: string, certificates: string[] } | undefined
  if (stored == null) return {}
  return { chain: { url: stored.url, certificates: summarizeChain({ url: stored.url, certificates: stored.certificates.map(pem => new X509Certificate(pem)) }) } }
}

/** Why this node holds the version: its trust policy, and the anchor or trusted issuer that admitted it. */
function trustOf (version: VersionView, trust: TrustPolicy): Record<string, unknown> {
  const stored = version.chain as unknown as { url: string, certificates: string[] } | undefined
  const anchor = stored != null ? trust.anchorOf({ url: stored.url, certificates: stored.certificates.map(pem => new X509Certificate(pem)) }) : undefined
  return {
    mode: trust.mode,
    ...(anchor != null ? { anchor: anchor.subject.replace(/\n/g, ', ') } : {}),
    ...(trust.issuers.has(version.issuer) ? { trustedIssuer: true } : {})
  }
}

export function registerSelfDescriptionRoutes ({ app, node, findEntry, requireWrite, publish }: ApiContext): void {
  app.post('/v1/self-descriptions', { onRequest: requireWrite }, async (request, reply) => {
    const body = request.body
    // a JSON body (application/json) is judged as text too: legacy JSON-LD credentials are refused by name
    const result = await publish(typeof body === 'string' ? body : body == null ? '' : JSON.stringify(body))
    return reply.status(result.created ? 201 : 200).send(result.body)
  })

  app.get('/v1/self-descriptions', async (request) => {
    const query = request.query as Record<string, unknown>
    const where = ([] as unknown[]).concat(query.where ?? []).map(w => {
      const text = String(w)
      const eq = text.indexOf('=')
      if (eq <= 0) throw new InvalidQueryError(`where takes PROPERTY=VALUE, not "${text}"`)
      return [text.slice(0, eq), text.slice(eq + 1)] as [string, string]
    })
    const limit = one(query.limit, 'limit')
    const page = await node.list({
      type: one(query.type, 'type'),
      issuer: one(query.issuer, 'issuer'),
      q: one(query.q, 'q'),
      where,
      status: one(query.status, 'status') as 'active' | 'all' | undefined,
      compliant: flag(one(query.compliant, 'compliant'), 'compliant'),
      label: one(query.label, 'label'),
      limit: limit == null ? undefined : Number(limit),
      cursor: one(query.cursor, 'cursor')
    })
    return { items: page.items.map(v => item(v)), next: page.next ?? null }
  })

  app.get('/v1/self-descriptions/:cid', async (request) => {
    const { cid } = request.params as { cid: string }
    return item(await node.getVersion(cid), true)
  })

  app.get('/v1/entries/:issuer/:subject', async (request) => {
    const { issuer, subject } = request.params as { issuer: string, subject: string }
    const { network } = request.query as { network?: string }
    const version = network === 'true' && findEntry != null
      ? await findEntry(issuer, subject)
      : await node.getEntry(issuer, subject)
    const revocation = version.status === 'revoked' ? await node.getRevocation(entryId(issuer, subject)) : undefined
    const versions = (await node.getHistory(issuer, subject)).map(v => ({ cid: v.cid, validFrom: v.validFrom, status: v.status }))
    return {
      ...item(version, true),
      trust: trustOf(version, node.trust),
      versions: versions.length > 0 ? versions : [{ cid: version.cid, validFrom: version.validFrom, status: version.status }],
      ...(revocation != null ? { revocation: { jws: revocation.jws, revokedAt: revocation.revokedAt, signer: revocation.signer, reason: revocation.reason } } : {})
    }
  })

  app.post('/v1/revocations', { onRequest: requireWrite }, async (request, reply) => {
    const result = await node.revoke(String(request.body ?? '').trim())
    return reply.status(result.status === 'revoked' ? 201 : 200).send(result)
  })
}
