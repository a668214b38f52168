/**
 * What the HTTP API of a gxcat node takes and answers, as the node's OpenAPI document
 * (`/openapi.json`) describes it. An app that imports the client loads nothing else of gxcat:
 * what is shared with the node is shared as types only.
 */
import type { CertificateSummary } from '../protocols/self-description/certificate-chain.ts'

export type { CertificateSummary }

export type VersionStatus = 'active' | 'superseded' | 'revoked' | 'expired' | 'suspended'

/** One version of an entry, as lists give it. */
export interface Item {
  cid: string
  /** id of the entry (issuer, subject) */
  entry: string
  issuer: string
  subject: string
  types: string[]
  validFrom: string
  validUntil?: string
  status: VersionStatus
  /** the credential (the JWS payload) */
  credential: Record<string, unknown>
}

/** One version read by CID, with its JWS, and the issuer key's certificate chain the node checked (x5u), leaf first. */
export interface Version extends Item {
  jws: string
  chain?: { url: string, certificates: CertificateSummary[] }
}

/** The current version of an entry: why the node holds it, the versions it keeps, its revocation if it is revoked. */
export interface Entry extends Version {
  /** the node's trust policy, and the anchor or trusted issuer that admitted the version */
  trust: { mode: 'open' | 'anchors', anchor?: string, trustedIssuer?: boolean }
  /** newest first: the current version, then the superseded ones kept */
  versions: Array<{ cid: string, validFrom: string, status: VersionStatus }>
  revocation?: { jws: string, revokedAt: string, signer: string, reason?: string }
}

export interface ListFilter {
  /** `gx:Name` (either Gaia-X vocabulary) or a full IRI */
  type?: string
  issuer?: string
  /** full text: every word must occur */
  q?: string
  /** property equality: [property, value] pairs */
  where?: Array<[string, string]>
  /** `all` lists superseded, revoked and expired versions too. @default 'active' */
  status?: 'active' | 'all'
  /** items per page, 1–1000. @default 100 */
  limit?: number
  cursor?: string
}

export interface ListPage {
  items: Item[]
  /** the cursor of the next page; null on the last */
  next: string | null
}

export interface PublishResult {
  status: 'active' | 'duplicate' | 'stale'
  cid: string
  entry: string
  issuer: string
  subject: string
  supersedes?: string
}

/** What became of each credential of a presentation. */
export interface PresentationResult {
  holder: string
  credentials: Array<PublishResult | { status: 'refused', error: { name: string, message: string } }>
}

export interface RevokeResult {
  status: 'revoked' | 'duplicate'
  entry: string
  cid: string
  revokedVersion?: string
}

export interface ShapeViolation {
  focusNode: string
  path?: string
  message: string
  constraint?: string
  value?: string
  shape?: string
}

export interface Verdict {
  valid: boolean
  error?: { name: string, message: string }
}

export interface CredentialReport {
  conforms: boolean
  violations: ShapeViolation[]
  /** for a signed credential: its signature, dates, certificate chain and status */
  signature?: Verdict
  /** what the credential is, when it could be read */
  issuer?: string
  subject?: string
  types?: string[]
  cid?: string
}

export interface ValidationReport extends CredentialReport {
  presentation?: Verdict
  credentials?: CredentialReport[]
}

export interface FacetCount {
  value: string
  count: number
}

export interface Facets {
  entries: number
  types: FacetCount[]
  issuers: FacetCount[]
  keywords: FacetCount[]
}

export interface NodeStatus {
  peerId: string | null
  addrs: string[]
  entries: number
  revoked: number
  versions: number
  peers: number
  /** the official shapes are parsed: what arrives is judged at once, not queued behind their start */
  ready: boolean
  version: string
}

export interface StatusHistory {
  intervalMs: number
  points: Array<{ at: number, entries: number, revoked: number, peers: number }>
}

export interface Peer {
  peerId: string
  addrs: string[]
  /** gossip score, where gossip runs */
  score?: number
}

export interface SyncReport {
  peer: string
  rounds: number
  bytesSent: number
  bytesReceived: number
  fetched: number
  pushed: number
  invalid: number
  deferred: number
  have: number
  need: number
  durationMs: number
}

/** SPARQL 1.1 JSON results (SELECT and ASK). */
export interface SparqlJsonResults {
  head: { vars?: string[] }
  results?: { bindings: Array<Record<string, { type: string, value: string, datatype?: string, 'xml:lang'?: string }>> }
  boolean?: boolean
}
