/**
 * Publishing, reading and listing self-descriptions, and revocations.
 */
import { X509Certificate } from 'node:crypto'
import { entryId, summarizeChain, type CertificateSummary, type TrustPolicy } from '../../../protocols/self-description/index.ts'
import { one, searchFilter } from '../query-params.ts'
import { typeHintOf } from '../type-warning.ts'
import { WRITE } from '../route-policy.ts'
import { CidParams, Entry, EntryParams, EntryQuery, errors, Item, ListQuery, ListReply, PublishReply, RevokeReply } from '../schemas.ts'
import { JWS_TYPES } from '../jws-types.ts'
import { registerJsonBody } from '../json-body.ts'
import { Type } from 'typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../api-context.ts'
import type { ItemView, TrustView } from '../schemas.ts'
import type { VersionView } from '../../catalogue-node.ts'

function item (version: VersionView, names: ReadonlyMap<string, string>, withJws = false): ItemView {
  const issuerName = names.get(version.issuer)
  return {
    cid: version.cid,
    entry: version.entry,
    issuer: version.issuer,
    ...(issuerName != null ? { issuerName } : {}),
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
function trustOf (version: VersionView, trust: TrustPolicy): TrustView {
  const stored = version.chain as unknown as { url: string, certificates: string[] } | undefined
  const anchor = stored != null ? trust.anchorOf({ url: stored.url, certificates: stored.certificates.map(pem => new X509Certificate(pem)) }) : undefined
  return {
    mode: trust.mode,
    ...(anchor != null ? { anchor: anchor.subject.replace(/\n/g, ', ') } : {}),
    ...(trust.issuers.has(version.issuer) ? { trustedIssuer: true } : {})
  }
}

const jwsBody = (description: string): { body: ReturnType<typeof Type.String>, consumes: string[] } => ({
  body: Type.String({ description }),
  consumes: [...JWS_TYPES, 'application/json']
})

export function registerSelfDescriptionRoutes ({ app: api, node, findEntry, publish }: ApiContext): void {
  const app = api.withTypeProvider<TypeBoxTypeProvider>()
  // writes in a context of their own, where a JSON body is kept as text: it is read once, by
  // readSubmission, which refuses legacy JSON-LD credentials by name
  void app.register(async writes => {
    registerJsonBody(writes, { asText: true })
    writes.withTypeProvider<TypeBoxTypeProvider>().post('/v1/self-descriptions', {
      config: WRITE,
      schema: {
        summary: 'publish a VC-JWT, a VP-JWT of credentials, or either as a JSON-LD envelope (EnvelopedVerifiableCredential/Presentation) or a JSON-LD presentation of enveloped credentials',
        security: [{ token: [] }],
        ...jwsBody('a VC-JWT or VP-JWT, compact, or a JSON-LD envelope'),
        response: { 201: PublishReply, 200: PublishReply, ...errors(400, 401, 403, 409, 413) }
      }
    }, async (request, reply) => {
      const result = await publish(request.body ?? '')
      return reply.status(result.created ? 201 : 200).send(result.body)
    })

    writes.withTypeProvider<TypeBoxTypeProvider>().post('/v1/revocations', {
      config: WRITE,
      schema: { summary: 'publish a signed revocation', security: [{ token: [] }], ...jwsBody('a revocation JWS'), response: { 201: RevokeReply, 200: RevokeReply, ...errors(400, 401) } }
    }, async (request, reply) => {
      const result = await node.revoke(String(request.body ?? '').trim())
      return reply.status(result.status === 'revoked' ? 201 : 200).send(result)
    })
  })

  // a page of another origin lists nothing: it may read single entries only, with --cors
  app.get('/v1/self-descriptions', {
    config: { sameOrigin: true },
    schema: { summary: 'list or filter the active entries', querystring: ListQuery, response: { 200: ListReply, ...errors(400) } }
  }, async (request) => {
    const query = request.query
    const limit = one(query.limit, 'limit')
    const filter = searchFilter(query)
    const page = await node.list({
      ...filter,
      status: one(query.status, 'status') as 'active' | 'all' | undefined,
      limit: limit == null ? undefined : Number(limit),
      cursor: one(query.cursor, 'cursor')
    })
    const names = await node.issuerNames.namesOf(page.items.map(v => v.issuer))
    const warning = filter.type == null ? undefined : typeHintOf(node, filter.type)
    return { items: page.items.map(v => item(v, names)), next: page.next ?? null, ...(warning != null ? { warning } : {}) }
  })

  app.get('/v1/self-descriptions/:cid', {
    schema: { summary: 'one version, with its JWS and certificate chain (x5u)', params: CidParams, response: { 200: Item, ...errors(404) } }
  }, async (request) => {
    const { cid } = request.params
    const version = await node.getVersion(cid)
    return item(version, await node.issuerNames.namesOf([version.issuer]), true)
  })

  app.get('/v1/entries/:issuer/:subject', {
    schema: {
      summary: 'the current version of an entry, with its certificate chain (x5u), the trust policy that admitted it, the versions kept and its revocation',
      params: EntryParams,
      querystring: EntryQuery,
      response: { 200: Entry, ...errors(404) }
    }
  }, async (request) => {
    const { issuer, subject } = request.params
    const network = one(request.query.network, 'network')
    const version = network === 'true' && findEntry != null
      ? await findEntry(issuer, subject)
      : await node.getEntry(issuer, subject)
    const revocation = version.status === 'revoked' ? await node.getRevocation(entryId(issuer, subject)) : undefined
    const versions = (await node.getHistory(issuer, subject)).map(v => ({ cid: v.cid, validFrom: v.validFrom, status: v.status }))
    return {
      ...item(version, await node.issuerNames.namesOf([version.issuer]), true),
      trust: trustOf(version, node.trust),
      versions: versions.length > 0 ? versions : [{ cid: version.cid, validFrom: version.validFrom, status: version.status }],
      ...(revocation != null ? { revocation: { jws: revocation.jws, revokedAt: revocation.revokedAt, signer: revocation.signer, reason: revocation.reason } } : {})
    }
  })
}
