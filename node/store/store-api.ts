/**
 * What the durable replica is to the node (catalogue-store.ts is how): versions, heads,
 * revocations and posting lists in level, and what each write did.
 */
import type { AbstractLevel } from 'abstract-level'
import type { Revocation, VerifiedCredential } from '../../protocols/self-description/index.ts'
import type { IndexTerms } from '../query/index-terms.ts'
import type { MemoryHead, RevocationRecord, VersionRecord, VersionStatus } from './records.ts'
import type { StoreMark } from './store-mark.ts'

export type { MemoryHead } from './records.ts'

export type Database = AbstractLevel<any, string, any>

export type AcceptStatus = 'active' | 'duplicate' | 'stale' | 'revoked'

export interface AcceptOutcome {
  status: AcceptStatus
  cid: string
  entry: string
  /** the version this one replaced */
  supersedes?: string
}

export interface RevokeOutcome {
  status: 'revoked' | 'duplicate'
  entry: string
  cid: string
  /** the version that was active and is now revoked */
  revokedVersion?: string
}

export interface CatalogueStore {
  open (): Promise<void>
  close (): Promise<void>
  /** decides and durably records a verified version */
  addVersion (verified: VerifiedCredential, terms: IndexTerms): Promise<AcceptOutcome>
  /** durably records a verified revocation */
  addRevocation (revocation: Revocation): Promise<RevokeOutcome>
  /** records what the version's status list says of it (active again clears a suspension) */
  setListStatus (cid: string, status: 'active' | 'revoked' | 'suspended'): Promise<void>
  getVersion (cid: string): Promise<(VersionRecord & { status: VersionStatus }) | undefined>
  getVersions (cids: string[]): Promise<Array<(VersionRecord & { status: VersionStatus }) | undefined>>
  /** the credentials (JWS payloads, parsed) of those of these versions that are active: what the RDF index is built from */
  activeCredentials (cids: string[]): Promise<Array<{ cid: string, credential: Record<string, unknown> }>>
  getHead (entry: string): MemoryHead | undefined
  /** every entry's current version */
  heads (): IterableIterator<[string, MemoryHead]>
  getRevocation (entry: string): Promise<RevocationRecord | undefined>
  isRevoked (entry: string): boolean
  /** cids of one posting list in seq order, after `afterSeq` */
  scan (prefix: string, afterSeq: number, limit: number): AsyncGenerator<{ seq: number, cid: string }>
  /** the CIDs of the versions an entry keeps, newest first (its head, then the superseded ones kept) */
  history (entry: string): Promise<string[]>
  /** which of the postings (prefix, seq) exist */
  hasPostings (prefix: string, seqs: number[]): Promise<boolean[]>
  /** every revocation */
  revocations (): AsyncGenerator<RevocationRecord>
  /** current entries by type, issuer or keyword (gx:keyword), the most frequent first */
  facets (kind: FacetKind, limit: number): Array<{ value: string, count: number }>
  /** the current entries in every posting list the prefixes name (and among `candidates`), counted by type, issuer and keyword */
  facetsWithin (prefixes: string[], candidates: ReadonlyArray<{ seq: number }> | undefined, limit: number): Promise<FacetsWithin>
  /** up to `limit` current entries in every posting list the prefixes name, newest first */
  newestHeads (prefixes: string[], limit: number): Promise<Array<{ seq: number, cid: string }>>
  /** waits until all submitted writes are done */
  idle (): Promise<void>
  readonly counts: { entries: number, revoked: number, versions: number }
}

export type FacetKind = 'type' | 'issuer' | 'keyword'

export type FacetsWithin = Record<FacetKind, Array<{ value: string, count: number }>> & {
  /** the seqs of the entries counted, ascending */
  heads: number[]
}

export interface CatalogueStoreInit {
  /** the high-water mark kept outside LevelDB (none for a store in memory) */
  mark?: StoreMark
  /** the LevelDB directory, to tell a missing store from a new one */
  location?: string
  /** versions kept per entry, the head included. @default KEEP_VERSIONS */
  keepVersions?: number
  /**
   * Where the posting lists are written as the store closes, to be read back at the next open
   * instead of rebuilt from every head (at 100,000 entries, most of a second); a store that did
   * not close cleanly, or changed since, rebuilds them
   */
  postingsFile?: string
  /** where every entry's head is written as the store closes, beside its posting lists, to be read back with them */
  headsFile?: string
}
