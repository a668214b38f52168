/**
 * What the HTTP API of a gxcat node takes and answers, as the node's OpenAPI document
 * (`/openapi.json`) describes it. What the node's own modules already declare is taken from
 * them as types only, so that the two cannot drift apart: an app that imports the client still
 * loads nothing else of gxcat.
 */
import type { CertificateSummary } from '../protocols/self-description/certificate-chain.ts'
import type { CredentialReport as NodeCredentialReport, Verdict } from '../protocols/self-description/validation-report.ts'
import type { SyncStats } from '../protocols/sync/session.ts'
import type { Facets } from '../node/catalogue-node.ts'
import type { ComplianceView } from '../node/compliance/compliance-index.ts'
import type { StatusPoint } from '../node/http/status-history.ts'
import type { VersionStatus } from '../node/store/records.ts'
import type { TrustListRecord } from '../protocols/self-description/trust-policy.ts'

export type { CertificateSummary, ComplianceView, Facets, TrustListRecord, StatusPoint, Verdict, VersionStatus }
export type { ShapeViolation } from '../protocols/self-description/errors.ts'
export type { ListFilter } from '../node/query/filters.ts'
export type { PresentationResult, PublishResult, RevokeResult } from '../node/catalogue-node.ts'

/** One count of a facet: a type, an issuer or a keyword, and how many current entries have it. */
export type FacetCount = Facets['types'][number]

/** The report on one credential, as it crosses the wire (what the node verified stays with it). */
export type CredentialReport = Omit<NodeCredentialReport, 'verified'>

export interface ValidationReport extends CredentialReport {
  /** a presentation's own signature (VP-JWT) */
  presentation?: Verdict
  /** one report per credential of a presentation */
  credentials?: CredentialReport[]
}

/** What a sync session moved, and with which peer. */
export interface SyncReport extends SyncStats {
  peer: string
}

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
  /** the Gaia-X compliance label that counts for this version now, or null */
  compliance: ComplianceView | null
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

export interface ListPage {
  items: Item[]
  /** the cursor of the next page; null on the last */
  next: string | null
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
  /** what the node trusts now: its policy, how many anchors and issuers, its compliance issuers, and the imported lists */
  trust: {
    mode: 'open' | 'anchors'
    anchors: number
    trustedIssuers: number
    revokedIssuers: number
    complianceIssuers: string[]
    lists: TrustListRecord[]
  }
  version: string
}

export interface StatusHistory {
  intervalMs: number
  points: StatusPoint[]
}

export interface Peer {
  peerId: string
  addrs: string[]
  /** gossip score, where gossip runs */
  score?: number
}

/** SPARQL 1.1 JSON results (SELECT and ASK). */
export interface SparqlJsonResults {
  head: { vars?: string[] }
  results?: { bindings: Array<Record<string, { type: string, value: string, datatype?: string, 'xml:lang'?: string }>> }
  boolean?: boolean
}
