/**
 * What a catalogue node is to whoever uses it (catalogue-node.ts is how): what it takes, what it
 * answers, the events it sends, and how it is configured.
 */
import type { TypedEventEmitter, TypedEventTarget } from 'main-event'
import type { Registry } from 'prom-client'
import type { AbortOptions, DidResolver, Revocation, ShapesValidator, StatusChecker, TrustPolicy, VerifiedCredential } from '../protocols/self-description/index.ts'
import type { ComplianceIndex, ComplianceView } from './compliance/compliance-index.ts'
import type { NodeMetrics } from './metrics.ts'
import type { FacetFilter, Facets } from './query/facets.ts'
import type { ListFilter } from './query/filters.ts'
import type { IssuerNames } from './query/issuer-names.ts'
import type { QueryOptions, SparqlResult, StoreState } from './query/rdf-index.ts'
import type { SparqlBudget } from './query/sparql-shares.ts'
import type { ShapesPool } from './verification/shapes-pool.ts'
import type { CatalogueStore, Database } from './store/catalogue-store.ts'
import type { VersionRecord, VersionStatus } from './store/records.ts'
import type { ComponentLogger } from '@libp2p/interface'

export type { FacetFilter, Facets } from './query/facets.ts'

export type Source = 'api' | 'gossip' | 'sync' | 'dht'

export interface PublishResult {
  status: 'active' | 'duplicate' | 'stale'
  cid: string
  entry: string
  issuer: string
  subject: string
  supersedes?: string
}

export interface PublishOptions extends AbortOptions {
  source?: Source
  /**
   * Called once the credential is read and checked, before its signature and shapes, unless it is
   * its entry's head already: `isNew` when the node holds nothing of its entry. Throwing refuses
   * the credential with that error (a peer's budget for the work it causes, network/peer-budget.ts).
   */
  admit?: (checked: VerifiedCredential, isNew: boolean) => void
}

export interface PresentationResult {
  holder: string
  /** one per enveloped credential, in order: what became of it, or why it was refused */
  credentials: Array<PublishResult | { status: 'refused', error: { name: string, message: string } }>
}

export interface RevokeResult {
  status: 'revoked' | 'duplicate'
  entry: string
  cid: string
  revokedVersion?: string
}

export interface CatalogueNodeEvents {
  /** a new version became the head of its entry (after it is durably stored) */
  'version:accepted': CustomEvent<{ verified: VerifiedCredential, result: PublishResult, source: Source }>
  /** a revocation was durably stored */
  'revocation:accepted': CustomEvent<{ revocation: Revocation, result: RevokeResult, source: Source }>
  /** an input was refused */
  'input:rejected': CustomEvent<{ error: Error, source: Source }>
  /** a stored head's status list changed its status (revoked, suspended, or active again) */
  'version:status': CustomEvent<{ cid: string, entry: string, status: 'active' | 'revoked' | 'suspended' }>
  /** the SPARQL index rebuilt at the start holds every active version: SPARQL answers from now on */
  'sparql:rebuilt': CustomEvent<{ entries: number, ms: number }>
}

export interface CatalogueNodeInit {
  /** directory of the level database; ignored when `db` is given */
  dataDir?: string
  /** worker threads that check signatures and run the official shapes, shared by the nodes of the process (0: signatures on libuv's thread pool, shapes in this thread). @default one per core but one, up to 8 */
  shapesWorkers?: number
  /** the pool that checks its credentials' signatures and shapes, instead of the process's shared one of `shapesWorkers` */
  shapes?: ShapesPool
  /** versions kept per entry, the head included; older superseded ones are pruned. @default 3 */
  keepVersions?: number
  /** a level database to use (memory-level for simulated nodes) */
  db?: Database
  /** @default a caching resolver with `didWebOrigins` */
  resolver?: DidResolver
  /** did:web origin overrides, HOST=URL */
  didWebOrigins?: string[]
  /** DIDs allowed to revoke entries of any issuer */
  revokers?: string[]
  /** what this node stores. @default open: any credential with a valid signature */
  trust?: TrustPolicy
  logger?: ComponentLogger
  /** run the SPARQL store in a worker thread. @default true */
  rdfWorker?: boolean
  /** keep an RDF store for SPARQL at all; simulated nodes that are never queried save its memory. @default true */
  sparql?: boolean
  /** collect process metrics (CPU, memory) in this node's registry. @default false */
  processMetrics?: boolean
  /** how often stored credentials' status lists are checked again. @default 5 min; 0: never */
  statusRecheckMs?: number
  /** longest a SPARQL query may run. @default 10 s */
  queryTimeoutMs?: number
  /** most memory the process may grow by while one SPARQL query runs. @default SPARQL_MAX_QUERY_MEMORY (256 MiB) */
  queryMemoryBytes?: number
  /** SPARQL queries that may wait for the engine at once; past it 503 NodeBusyError. @default SPARQL_MAX_QUEUED */
  maxQueuedQueries?: number
  /** SPARQL engines (worker threads), each holding the whole index: with two or more, queries are answered while one that ran too long is stopped and its engine loaded again. @default 1 */
  sparqlWorkers?: number
  /** SPARQL query time each client may use per window; past it 429 QueryBudgetError. @default SPARQL_BUDGET (60 s a minute) */
  sparqlBudget?: SparqlBudget
  /** an external SPARQL 1.1 store kept in step with the replica, which then answers SPARQL in place of an index in memory */
  sparqlStore?: { url: string, user?: string, password?: string, graphStore?: string | false }
  /** new versions of one entry taken per window. @default 10 per minute */
  entryVersions?: { versions: number, windowMs: number }
  /** DIDs of the compliance issuers (Gaia-X clearing houses) whose label credentials mark what they cover as compliant */
  complianceIssuers?: string[]
}

export interface VersionView extends VersionRecord {
  status: VersionStatus
  credential: Record<string, unknown>
  /** the compliance label that counts for this version now, if any */
  compliance: ComplianceView | null
}

export interface CatalogueNode extends TypedEventEmitter<CatalogueNodeEvents> {
  start (options?: AbortOptions): Promise<void>
  stop (): Promise<void>
  /** verifies and stores a VC-JWT; throws the protocol's typed error for bad input */
  publish (jws: string, options?: PublishOptions): Promise<PublishResult>
  /** verifies a VP-JWT, then verifies and stores each credential it envelops on its own */
  publishPresentation (jws: string, options?: AbortOptions): Promise<PresentationResult>
  /** publishes each credential on its own (an unsigned presentation's enveloped credentials); an Error item is refused as given */
  publishEach (items: Array<string | Error>, options?: AbortOptions): Promise<{ credentials: PresentationResult['credentials'] }>
  /** counts and reports a refusal of bad input made before the node saw it (a body that is not a submission), then throws it */
  refuse (error: Error): never
  /** checks the status lists of the stored heads that have them and marks each revoked, suspended or active again */
  recheckStatusLists (options?: AbortOptions): Promise<{ checked: number, changed: number }>
  /** verifies and stores a revocation */
  revoke (jws: string, options?: AbortOptions & { source?: Source }): Promise<RevokeResult>
  getVersion (cid: string): Promise<VersionView>
  getEntry (issuer: string, subject: string): Promise<VersionView>
  getRevocation (entry: string): Promise<Revocation | undefined>
  /** the versions an entry keeps, newest first: its current version, then the superseded ones kept */
  getHistory (issuer: string, subject: string): Promise<VersionView[]>
  list (filter: ListFilter): Promise<{ items: VersionView[], next?: string }>
  /** `client`: who asks (an address, the operator), for its fair share of the engines and its budget */
  sparql (query: string, accept?: string, options?: QueryOptions): Promise<SparqlResult>
  /** whether SPARQL answers: off (a node without it), rebuilding (with how far; queries answer 503 meanwhile) or ready */
  sparqlStatus (): SparqlStatus
  counts (): { entries: number, revoked: number, versions: number }
  /** current entries (all, or those within the listing's filters) counted by label level, type, issuer and keyword, the most frequent first */
  facets (limit: number, filter?: FacetFilter): Promise<Facets>
  /** issuers' legal names, where the catalogue holds their own gx:LegalPerson */
  readonly issuerNames: IssuerNames
  readonly resolver: DidResolver
  readonly status: StatusChecker
  readonly shapes: ShapesValidator
  readonly metrics: NodeMetrics
  readonly store: CatalogueStore
  /** what the network services see of this node: intake, heads and versions, accepted events */
  readonly replica: CatalogueReplica
  readonly trust: TrustPolicy
  readonly compliance: ComplianceIndex
  readonly started: boolean
}

export type SparqlStatus = (
  | { state: 'off' | 'ready' }
  | { state: 'rebuilding', loaded: number, total: number }
) & {
  /** where SPARQL runs in an external store, how it stands */
  store?: StoreState
}

/*
 * What the network services (node/network) need of a node: to hand it what arrives, to read what
 * it holds, and to hear what it accepts. A catalogue node offers this as its `replica`
 * (replica-view.ts); the services never see its store, HTTP or SPARQL.
 */

/** A version or revocation the replica holds that anti-entropy reconciles. */
export interface ReconciledItem {
  cid: string
  /** when it took effect (validFrom of a version, revokedAt of a revocation), ISO 8601 */
  at: string
  /** for a revocation: the entry it revokes */
  revokes?: string
}

export type ReplicaEvents = Pick<CatalogueNodeEvents, 'version:accepted' | 'revocation:accepted'>

export interface CatalogueReplica extends Pick<TypedEventTarget<ReplicaEvents>, 'addEventListener' | 'removeEventListener'> {
  /** verifies and stores a version, as the node's API does */
  publish (jws: string, options: PublishOptions): Promise<PublishResult>
  /** verifies and stores a revocation */
  revoke (jws: string, options: AbortOptions & { source: Source }): Promise<RevokeResult>
  /** the entry's head; NotFoundError when the replica holds none */
  getEntry (issuer: string, subject: string): Promise<VersionView>
  /** whether this version is its entry's active (unrevoked) head here */
  isActiveHead (cid: string, entry: string): boolean
  /** the active heads and the revocations: what anti-entropy reconciles */
  reconciled (): AsyncIterable<ReconciledItem>
  /** the JWS of stored versions and revocations by CID (a revocation found through its entry) */
  jwsOf (items: Array<{ cid: string, revokes?: string }>): Promise<Array<string | undefined>>
  readonly resolver: DidResolver
  readonly shapes: ShapesValidator
  /** DIDs allowed to revoke entries of any issuer */
  readonly revokers: readonly string[]
  /** where the services' Prometheus metrics go */
  readonly registry: Registry
}
