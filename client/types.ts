/**
 * What the HTTP API of a gxcat node takes and answers, as the node's OpenAPI document
 * (`/openapi.json`) describes it: the routes' schemas (node/http/schemas.ts) and what the
 * node's own modules already declare are taken as types only, so that the two cannot drift apart: an app that imports the client still
 * loads nothing else of gxcat.
 */
import type { CertificateSummary } from '../protocols/self-description/certificate-chain.ts'
import type { CredentialReport as NodeCredentialReport, Verdict } from '../protocols/self-description/validation-report.ts'
import type { SyncStats } from '../protocols/sync/session.ts'
import type { ComplianceView } from '../node/compliance/compliance-index.ts'
import type { EntryView, FacetsView, HistoryView, ItemView, ListPageView, PeersView, StatusView } from '../node/http/schemas.ts'
import type { StatusPoint } from '../node/http/status-history.ts'
import type { VersionStatus } from '../node/store/records.ts'
import type { TrustListRecord } from '../protocols/self-description/trust-policy.ts'

export type { CertificateSummary, ComplianceView, TrustListRecord, StatusPoint, Verdict, VersionStatus }
export type { ShapeViolation } from '../protocols/self-description/errors.ts'
export type { ListFilter } from '../node/query/filters.ts'
import type { ListFilter } from '../node/query/filters.ts'
export type { PresentationResult, PublishResult, RevokeResult } from '../node/catalogue-node.ts'

/** Current entries (all, or those within a search's filters) counted by label level, type, issuer and keyword; `warning` where the type filter names nothing known. */
export type Facets = FacetsView

/** One count of a facet: a type, an issuer (with its legal name where known) or a keyword, and how many current entries have it. */
export type FacetCount = Facets['issuers'][number]

/** The filters a search's facets are counted within: the listing's, less paging and status. */
export type FacetFilter = Omit<ListFilter, 'status' | 'limit' | 'cursor'>

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
export type Item = Omit<ItemView, 'jws' | 'chain'>

/** One version read by CID, with its JWS, and the issuer key's certificate chain the node checked (x5u), leaf first. */
export type Version = ItemView & { jws: string }

/** The current version of an entry: why the node holds it, the versions it keeps, its revocation if it is revoked. */
export type Entry = EntryView & { jws: string }

export type ListPage = ListPageView

/** What a node holds and runs: counts, peers, readiness (the official shapes parsed), the trust in force, SPARQL's state. */
export type NodeStatus = StatusView

export type StatusHistory = HistoryView

export type Peer = PeersView['peers'][number]

/** SPARQL 1.1 JSON results (SELECT and ASK). */
export interface SparqlJsonResults {
  head: { vars?: string[] }
  results?: { bindings: Array<Record<string, { type: string, value: string, datatype?: string, 'xml:lang'?: string }>> }
  boolean?: boolean
}
