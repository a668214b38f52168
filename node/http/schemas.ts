/**
 * The HTTP API's schemas (TypeBox): each route declares what it takes and answers with these,
 * fastify checks requests against them, `/openapi.json` is generated from them (@fastify/swagger)
 * and the typed client's types are derived from them (client/catalogue-client.ts).
 *
 * Query parameters are declared as strings: the routes read and judge them (a number out of
 * range, a date that is not RFC 3339) with messages that name the parameter.
 */
import { Type, type Static, type TSchema } from 'typebox'

const text = (description?: string): TSchema => Type.String(description == null ? {} : { description })
const optionalText = (description?: string): TSchema => Type.Optional(text(description))

export const ErrorReply = Type.Object({
  error: Type.Object({
    name: Type.String({ description: 'the error\'s class: InvalidQueryError, NotFoundError, ShapeViolationError…' }),
    message: Type.String(),
    violations: Type.Optional(Type.Array(Type.Unknown()))
  })
}, { description: 'an error, with a status that says whose fault it was' })

export const Compliance = Type.Union([
  Type.Object({
    label: Type.String({ description: 'SC, L1, L2 or L3 (BL, as some compliance services write it, ranks with SC)' }),
    issuer: Type.String({ description: 'the compliance issuer DID' }),
    labelCredential: Type.String({ description: 'CID of the gx:LabelCredential' }),
    rulesVersion: Type.Optional(Type.String()),
    validUntil: Type.Optional(Type.String({ format: 'date-time', description: 'the label\'s' }))
  }),
  Type.Null()
], { description: 'the Gaia-X compliance label that counts for this version now (from a trusted compliance issuer, valid, not revoked, the highest level), or null' })

const CertificateSummary = Type.Object({
  subject: Type.String(),
  issuer: Type.String(),
  validFrom: Type.String(),
  validTo: Type.String()
}, { additionalProperties: true })

export const Item = Type.Object({
  cid: Type.String(),
  entry: Type.String(),
  issuer: Type.String(),
  issuerName: Type.Optional(Type.String({ description: 'the issuer\'s legal name, where the catalogue holds its own gx:LegalPerson' })),
  subject: Type.String(),
  types: Type.Array(Type.String()),
  validFrom: Type.String({ format: 'date-time' }),
  validUntil: Type.Optional(Type.String({ format: 'date-time' })),
  status: Type.Union([Type.Literal('active'), Type.Literal('superseded'), Type.Literal('revoked'), Type.Literal('expired'), Type.Literal('suspended')]),
  compliance: Compliance,
  credential: Type.Record(Type.String(), Type.Unknown(), { description: 'the credential (the JWS payload)' }),
  jws: Type.Optional(Type.String({ description: 'the compact JWS (one version or entry)' })),
  chain: Type.Optional(Type.Object({ url: Type.String(), certificates: Type.Array(CertificateSummary) }, { description: 'the issuer key\'s certificate chain (x5u) the node checked' }))
}, { $id: 'Item', description: 'one version of an entry' })

/** The schemas the OpenAPI document names in its components. */
export const NAMED_SCHEMAS = [Item]

export const Entry = Type.Intersect([
  Item,
  Type.Object({
    trust: Type.Object({ mode: Type.Union([Type.Literal('open'), Type.Literal('anchors')]), anchor: Type.Optional(Type.String()), trustedIssuer: Type.Optional(Type.Boolean()) }, { description: 'the trust policy that admitted it' }),
    versions: Type.Array(Type.Object({ cid: Type.String(), validFrom: Type.String(), status: Type.String() }), { description: 'the versions kept, newest first' }),
    revocation: Type.Optional(Type.Object({ jws: Type.String(), revokedAt: Type.String(), signer: Type.String(), reason: Type.Optional(Type.String()) }))
  })
])

/** The filters the listing and the facets share. */
const searchFields = {
  type: optionalText('gx:Name (matches 2511 and development) or a full IRI; one that names no known type gets a `warning`'),
  issuer: optionalText(),
  q: optionalText('full text: every word must occur'),
  where: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'PROPERTY=VALUE, repeatable' })),
  compliant: optionalText('true: only versions a trusted Gaia-X compliance label covers now'),
  label: optionalText('SC, L1, L2 or L3: only versions compliant at this level or higher')
}

const warning = Type.Optional(Type.String({ description: 'a filter that names nothing known (a type that is no Gaia-X class and no entry\'s type), with the nearest known types' }))

export const ListQuery = Type.Object({
  ...searchFields,
  status: optionalText('active (the default) or all'),
  limit: optionalText('1 to 1,000; 100 by default'),
  cursor: optionalText('the `next` of the page before')
})

export const ListReply = Type.Object({
  items: Type.Array(Item),
  next: Type.Union([Type.String(), Type.Null()]),
  warning
})

export const CidParams = Type.Object({ cid: Type.String() })
export const EntryParams = Type.Object({ issuer: Type.String(), subject: Type.String({ description: 'credentialSubject.id, URL-encoded' }) })
export const EntryQuery = Type.Object({ network: optionalText('true: also ask the DHT when the replica lacks it') })

export const PublishReply = Type.Object({
  status: Type.Optional(Type.String({ description: 'a credential\'s: active, duplicate or stale' })),
  cid: Type.Optional(Type.String()),
  entry: Type.Optional(Type.String()),
  issuer: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  supersedes: Type.Optional(Type.String()),
  holder: Type.Optional(Type.String({ description: 'a presentation\'s holder' })),
  credentials: Type.Optional(Type.Array(Type.Unknown(), { description: 'a presentation\'s: what became of each credential, or why it was refused' }))
}, { additionalProperties: true })

export const RevokeReply = Type.Object({
  status: Type.String({ description: 'revoked or duplicate' }),
  entry: Type.String(),
  cid: Type.String(),
  revokedVersion: Type.Optional(Type.String())
})

const Count = Type.Object({ value: Type.String(), count: Type.Integer(), name: Type.Optional(Type.String({ description: 'an issuer\'s legal name, from its own gx:LegalPerson in the catalogue' })) })

export const FacetsQuery = Type.Object({ ...searchFields, limit: optionalText('values per facet, 1 to 1,000; 20 by default') })
export const FacetsReply = Type.Object({
  entries: Type.Integer({ description: 'the current entries counted: all, or those within the filters' }),
  warning,
  labels: Type.Array(Count),
  types: Type.Array(Count),
  issuers: Type.Array(Count),
  keywords: Type.Array(Count)
}, { additionalProperties: true })

export const SparqlQuery = Type.Object({ query: optionalText('a SPARQL 1.1 query (read-only)') })
export const ValidateQuery = Type.Object({ at: optionalText('judge validity, certificate and status dates as of this RFC 3339 time') })
const Verdict = Type.Object({ valid: Type.Boolean(), error: Type.Optional(Type.Object({ name: Type.String(), message: Type.String() })) }, { additionalProperties: true })

export const ValidateReply = Type.Object({
  conforms: Type.Boolean(),
  violations: Type.Array(Type.Unknown(), { description: '[{focusNode, at, path, message, constraint, value, shape}] (at: the place in the submitted JSON) from the official Gaia-X 2511 and 25.11 development SHACL shapes' }),
  signature: Type.Optional(Verdict),
  credentials: Type.Optional(Type.Array(Type.Unknown()))
}, { additionalProperties: true })

const Peer = Type.Object({ peerId: Type.String(), addrs: Type.Array(Type.String()), score: Type.Optional(Type.Number()) })

export const StatusReply = Type.Object({
  peerId: Type.Union([Type.String(), Type.Null()]),
  addrs: Type.Array(Type.String()),
  entries: Type.Integer(),
  revoked: Type.Integer(),
  versions: Type.Integer(),
  peers: Type.Integer(),
  reachability: Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('unknown')], { description: 'whether others can dial this node: as its operator says (--reachability), or as AutoNAT found; unknown until a public address is confirmed, or without a network' }),
  reason: Type.String({ description: 'why the node holds this view of its reachability' }),
  dht: Type.Union([Type.Literal('server'), Type.Literal('client'), Type.Literal('off')], { description: 'server: answers and stores DHT records; client (a node not known to be reachable): only asks' }),
  relays: Type.Array(Type.String(), { description: 'peer ids of the relays this node holds a reservation on (a node not known to be reachable)' }),
  ready: Type.Boolean({ description: 'the official shapes are parsed: what arrives is judged at once' }),
  sparql: Type.Record(Type.String(), Type.Unknown(), { description: '{state: ready | off} or {state: rebuilding, loaded, total}: SPARQL answers 503 until the index holds every entry' }),
  trust: Type.Object({
    mode: Type.Union([Type.Literal('open'), Type.Literal('anchors')]),
    anchors: Type.Integer(),
    trustedIssuers: Type.Integer(),
    revokedIssuers: Type.Integer(),
    complianceIssuers: Type.Array(Type.String()),
    lists: Type.Array(Type.Object({
      kind: Type.Union([Type.Literal('anchors'), Type.Literal('compliance-issuers'), Type.Literal('revoked-issuers')]),
      source: Type.String(),
      format: Type.String(),
      name: Type.Optional(Type.String()),
      count: Type.Integer(),
      importedAt: Type.String()
    }), { description: 'the imported trust lists in force' })
  }),
  version: Type.String()
})

export const PeersReply = Type.Object({ peers: Type.Array(Peer) })
export const HistoryReply = Type.Object({
  intervalMs: Type.Integer(),
  points: Type.Array(Type.Object({ at: Type.Integer({ description: 'ms since the epoch' }), entries: Type.Integer(), revoked: Type.Integer(), peers: Type.Integer() }), { description: 'oldest first, the last taken now' })
})
export const SyncReply = Type.Object({
  peer: Type.String(),
  rounds: Type.Integer(),
  bytesSent: Type.Integer(),
  bytesReceived: Type.Integer(),
  fetched: Type.Integer(),
  pushed: Type.Integer(),
  invalid: Type.Integer(),
  durationMs: Type.Number()
}, { additionalProperties: true })

/** An error answer, for each status a route may give. */
export function errors (...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map(status => [status, ErrorReply]))
}

export type ItemView = Static<typeof Item>
export type EntryView = Static<typeof Entry>
export type HistoryView = Static<typeof HistoryReply>
export type PeersView = Static<typeof PeersReply>
export type ListPageView = Static<typeof ListReply>
export type FacetsView = Static<typeof FacetsReply>
export type StatusView = Static<typeof StatusReply>
export type PublishView = Static<typeof PublishReply>
export type TrustView = EntryView['trust']
