/**
 * One catalogue node's core: it takes signed self-descriptions and revocations, keeps them in the
 * durable replica and answers queries locally. The network services (node/network, through its
 * `replica`) and the HTTP API (node/http) are layers around it.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { Level } from 'level'
import { TypedEventEmitter } from 'main-event'
import {
  createDidResolver, createStatusChecker, createTrustPolicy, entryId, payloadOfVerifiedJws, verifyCheckedCredential, verifyPresentation, verifyRevocation,
  type AbortOptions, type DidResolver, type Revocation, type StatusChecker, type TrustPolicy, type VerifiedCredential
} from '../protocols/self-description/index.ts'
import { blameOf } from '../protocols/errors.ts'
import { HEADS_FILE, POSTINGS_FILE, SPARQL_LOAD_WAIT_MS, STATUS_RECHECK_MS, STORE_MARK_FILE } from './constants.ts'
import { EntryRevokedError, InvalidQueryError, NodeStoppedError, NotFoundError, SparqlUnavailableError } from './errors.ts'
import { createNodeMetrics, type NodeMetrics } from './metrics.ts'
import { listVersions, type ListFilter, type ListPage } from './query/filters.ts'
import { indexTerms } from './query/index-terms.ts'
import { countFacets } from './query/facets.ts'
import { createIssuerNames, type IssuerNames } from './query/issuer-names.ts'
import type { QueryOptions, RdfIndex, SparqlResult } from './query/rdf-index.ts'
import { createSparqlIndex } from './query/sparql-index.ts'
import { complianceGraphId } from './query/rdf-store.ts'
import { createComplianceIndex, type ComplianceIndex } from './compliance/compliance-index.ts'
import { createCatalogueStore, type CatalogueStore, type CatalogueStoreInit, type Database } from './store/catalogue-store.ts'
import { createFileMark } from './store/store-mark.ts'
import { createStatusWatch, type StatusWatch } from './status-watch.ts'
import { createEntryRate, type EntryRate } from './entry-rate.ts'
import { activeVersions } from './query/rdf-source.ts'
import { sharedShapesPool, type ShapesPool } from './verification/shapes-pool.ts'
import { checkToPublish } from './verification/prepare.ts'
import { parsesShapesAtOnce, storedHeads } from './verification/shapes-warmup.ts'
import type { VersionRecord, VersionStatus } from './store/records.ts'
import { createReplicaView } from './replica-view.ts'
import type { Logger } from '@libp2p/interface'
import type {
  CatalogueNode, CatalogueNodeEvents, CatalogueNodeInit, CatalogueReplica, FacetFilter, Facets, PresentationResult, PublishOptions, PublishResult, RevokeResult, Source, SparqlStatus, VersionView
} from './catalogue-node-api.ts'

export type {
  CatalogueNode, CatalogueNodeEvents, CatalogueNodeInit, Facets, PresentationResult, PublishResult, RevokeResult, SparqlStatus, VersionView
} from './catalogue-node-api.ts'

class DefaultCatalogueNode extends TypedEventEmitter<CatalogueNodeEvents> implements CatalogueNode {
  readonly resolver: DidResolver
  readonly status: StatusChecker
  readonly shapes: ShapesPool
  private readonly entryRate: EntryRate
  private readonly statusWatch: StatusWatch
  readonly metrics: NodeMetrics
  readonly trust: TrustPolicy
  readonly store: CatalogueStore
  readonly replica: CatalogueReplica
  readonly compliance: ComplianceIndex
  readonly issuerNames: IssuerNames
  private readonly rdf: RdfIndex | undefined
  private readonly log: Logger
  private readonly init: CatalogueNodeInit
  private readonly dbFactory: () => Promise<Database>
  private running = false
  /** the rebuild of the RDF index after start, until it ends */
  private rdfRebuild?: Promise<void>
  private rdfAbort?: AbortController
  /** versions being verified and stored now, by their JWS */
  private readonly publishing = new Map<string, Promise<PublishResult>>()

  constructor (init: CatalogueNodeInit) {
    super()
    this.init = init
    const logger = init.logger ?? defaultLogger()
    this.log = logger.forComponent('gxcat:node')
    this.resolver = init.resolver ?? createDidResolver({ originOverrides: init.didWebOrigins })
    this.status = createStatusChecker({ resolver: this.resolver })
    this.shapes = init.shapes ?? sharedShapesPool(init.shapesWorkers)
    this.entryRate = createEntryRate(init.entryVersions)
    this.trust = init.trust ?? createTrustPolicy()
    let db = init.db
    let onDisk: CatalogueStoreInit = {}
    if (db == null) {
      if (init.dataDir == null) throw new TypeError('createCatalogueNode needs dataDir or db')
      const location = join(init.dataDir, 'store')
      const markPath = join(init.dataDir, STORE_MARK_FILE)
      // level opens itself on the next tick: a store that should exist is never created afresh
      db = new Level<string, any>(location, { valueEncoding: 'json', createIfMissing: !existsSync(markPath) }) as unknown as Database
      onDisk = { location, mark: createFileMark(markPath), postingsFile: join(init.dataDir, POSTINGS_FILE), headsFile: join(init.dataDir, HEADS_FILE) }
    }
    const database = db
    this.dbFactory = async () => {
      if (init.dataDir != null && init.db == null) await mkdir(init.dataDir, { recursive: true })
      return database
    }
    this.store = createCatalogueStore(database, { ...onDisk, keepVersions: init.keepVersions })
    this.rdf = createSparqlIndex({ logger }, init, { source: options => activeVersions(this.store, this.compliance, options), expected: () => this.store.counts.entries })
    this.issuerNames = createIssuerNames(this.store)
    this.compliance = createComplianceIndex({ store: this.store, logger }, { issuers: init.complianceIssuers, onChange: cid => { this.linkInRdf(cid) } })
    this.statusWatch = createStatusWatch({ store: this.store, status: this.status, log: this.log }, {
      onChange: (record, status) => {
        this.compliance.statusChanged(record.cid, status)
        if (status === 'active') this.rdf?.add({ cid: record.cid, jws: record.jws })
        else this.rdf?.remove(record.cid)
        this.safeDispatch('version:status', { cid: record.cid, entry: record.entry, status })
      }
    })
    this.metrics = createNodeMetrics({ processMetrics: init.processMetrics, counts: () => this.store.counts })
    this.replica = createReplicaView({ node: this, store: this.store, registry: this.metrics.registry }, { revokers: init.revokers })
    // the shape workers parse the shapes (about a second) from now on, unless a large RDF index
    // is to be rebuilt at start: then once it is, so that the two do not share the cores
    if (parsesShapesAtOnce(init.db != null || init.dataDir == null ? 0 : storedHeads(init.dataDir), this.rdf != null)) this.shapes.warm?.()
  }

  get started (): boolean {
    return this.running
  }

  async start (options: AbortOptions = {}): Promise<void> {
    if (this.running) return
    await this.dbFactory()
    await this.store.open()
    await this.compliance.load(options)
    this.running = true
    this.statusWatch.start(this.init.statusRecheckMs ?? STATUS_RECHECK_MS)
    // the RDF index lives in memory: it is rebuilt from the active heads while the node already
    // serves (filters and reads at once; SPARQL waits a moment, then 503 until it is loaded)
    if (this.rdf != null) {
      this.rdfAbort = new AbortController()
      const signal = options.signal == null ? this.rdfAbort.signal : AbortSignal.any([options.signal, this.rdfAbort.signal])
      this.rdfRebuild = this.rebuildRdf(this.rdf, { signal })
    }
  }

  private async rebuildRdf (rdf: RdfIndex, options: AbortOptions): Promise<void> {
    const started = performance.now()
    try {
      const loaded = await rdf.rebuild(options)
      const ms = Math.round(performance.now() - started)
      if (loaded > 0) this.log('rebuilt the RDF index of %d entries in %d ms', loaded, ms)
      if (this.running) this.safeDispatch('sparql:rebuilt', { entries: loaded, ms })
    } catch (err: any) {
      if (this.running) this.log.error('rebuilding the RDF index failed: %e', err)
    } finally {
      this.rdfRebuild = undefined
      // a credential arriving earlier has started them already
      this.shapes.warm?.()
    }
  }

  /** A stored version as the node shows it: its credential, and the compliance label that counts now. */
  private view (record: VersionRecord & { status: VersionStatus }): VersionView {
    return { ...record, credential: payloadOfVerifiedJws(record.jws), compliance: record.status === 'active' ? this.compliance.of(record.cid) : null }
  }

  /** A version's labels changed: its link graph in the RDF index is written again. */
  private linkInRdf (cid: string): void {
    if (this.rdf == null) return
    const graph = this.compliance.linkGraph(cid)
    this.rdf.remove(complianceGraphId(cid))
    if (graph != null) this.rdf.add(graph)
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.statusWatch.stop()
    // a rebuild under way stops where it is: the worker goes first, so nothing waits on it
    this.rdfAbort?.abort()
    await this.rdf?.close()
    await this.rdfRebuild
    await this.store.close()
  }

  private assertRunning (): void {
    if (!this.running) throw new NodeStoppedError('the node is not running')
  }

  private rejected (error: Error, source: Source): never {
    this.metrics.rejects.inc({ reason: error.name, source })
    this.safeDispatch('input:rejected', { error, source })
    throw error
  }

  private safeDispatch<K extends keyof CatalogueNodeEvents> (type: K, detail: CatalogueNodeEvents[K]['detail']): void {
    try {
      this.safeDispatchEvent(type, { detail })
    } catch (err: any) {
      this.log.error('a %s listener failed: %e', type, err)
    }
  }

  async publish (jws: string, options: PublishOptions = {}): Promise<PublishResult> {
    this.assertRunning()
    // the same version from several sources at once (a late joiner's sync sessions with each of
    // its peers offer it alike, gossip and sync meet) is verified once: the others share the
    // outcome, as a duplicate where the first stored it
    const pending = this.publishing.get(jws)
    if (pending != null) {
      const first = await pending
      const status = first.status === 'active' ? 'duplicate' : first.status
      this.metrics.ingests.inc({ status, source: options.source ?? 'api' })
      return { ...first, status, supersedes: undefined }
    }
    const publishing = this.publishOnce(jws, options)
    this.publishing.set(jws, publishing)
    try {
      return await publishing
    } finally {
      this.publishing.delete(jws)
    }
  }

  /**
   * The checked credential as its entry's current, active version, if it is: verified when it
   * was stored, it is not verified again (several peers offering a late joiner the same
   * versions one after another).
   */
  private async storedHead (checked: VerifiedCredential): Promise<PublishResult | undefined> {
    const head = this.store.getHead(checked.entry)
    if (head == null || this.store.isRevoked(checked.entry) || head.cid !== checked.cid) return undefined
    if ((await this.store.getVersion(head.cid))?.status !== 'active') return undefined // revoked by its status list: verification says so
    return { status: 'duplicate', cid: head.cid, entry: checked.entry, issuer: checked.issuer, subject: checked.subject }
  }

  private async publishOnce (jws: string, options: PublishOptions): Promise<PublishResult> {
    const source = options.source ?? 'api'
    let prepared
    try {
      prepared = await checkToPublish(jws, this.shapes, Date.now())
    } catch (err: any) {
      return this.rejected(err, source)
    }
    const { decoded, checked } = prepared
    const stored = await this.storedHead(checked)
    if (stored != null) {
      this.metrics.ingests.inc({ status: 'duplicate', source })
      return stored
    }
    let verified: VerifiedCredential
    let terms
    try {
      options.admit?.(checked, this.store.getHead(checked.entry) == null)
      verified = await verifyCheckedCredential(decoded, checked, { resolver: this.resolver, status: this.status, shapes: this.shapes, signal: options.signal })
      this.trust.assertTrusted(verified)
      this.entryRate.assert(verified, this.store.getHead(verified.entry))
      terms = prepared.terms ?? indexTerms(verified)
    } catch (err: any) {
      return this.rejected(err, source)
    }
    const outcome = await this.store.addVersion(verified, terms)
    this.metrics.ingests.inc({ status: outcome.status, source })
    if (outcome.status === 'revoked') {
      return this.rejected(new EntryRevokedError(`entry ${outcome.entry} (${verified.subject} by ${verified.issuer}) is revoked; revocation is final`), source)
    }
    const result: PublishResult = { status: outcome.status, cid: outcome.cid, entry: outcome.entry, issuer: verified.issuer, subject: verified.subject, supersedes: outcome.supersedes }
    if (outcome.status === 'active') {
      if (outcome.supersedes != null) this.rdf?.remove(outcome.supersedes)
      this.rdf?.add({ cid: verified.cid, jws: verified.jws })
      if (verified.statusEntries != null) this.statusWatch.add(verified.cid)
      await this.compliance.added(verified, outcome.supersedes)
      this.safeDispatch('version:accepted', { verified, result, source })
    }
    return result
  }

  async publishPresentation (jws: string, options: AbortOptions = {}): Promise<PresentationResult> {
    this.assertRunning()
    let presentation
    try {
      presentation = await verifyPresentation(jws, { resolver: this.resolver, signal: options.signal })
    } catch (err: any) {
      return this.rejected(err, 'api')
    }
    return { holder: presentation.holder, ...await this.publishEach(presentation.credentials, options) }
  }

  async publishEach (items: Array<string | Error>, options: AbortOptions = {}): Promise<{ credentials: PresentationResult['credentials'] }> {
    this.assertRunning()
    const credentials = await Promise.all(items.map(async (item): Promise<PresentationResult['credentials'][number]> => {
      try {
        return await (typeof item === 'string' ? this.publish(item, options) : this.rejected(item, 'api'))
      } catch (err: any) {
        if (blameOf(err) === 'this-node') throw err
        return { status: 'refused', error: { name: err.name, message: err.message } }
      }
    }))
    return { credentials }
  }

  refuse (error: Error): never {
    return this.rejected(error, 'api')
  }

  async recheckStatusLists (options: AbortOptions = {}): Promise<{ checked: number, changed: number }> {
    this.assertRunning()
    return this.statusWatch.recheck(options)
  }

  async revoke (jws: string, options: AbortOptions & { source?: Source } = {}): Promise<RevokeResult> {
    this.assertRunning()
    const source = options.source ?? 'api'
    let revocation: Revocation
    try {
      revocation = await verifyRevocation(jws, { resolver: this.resolver, revokers: this.init.revokers, signal: options.signal })
    } catch (err: any) {
      return this.rejected(err, source)
    }
    const result = await this.store.addRevocation(revocation)
    this.metrics.ingests.inc({ status: result.status === 'revoked' ? 'revocation' : 'duplicate-revocation', source })
    if (result.status === 'revoked') {
      if (result.revokedVersion != null) {
        this.rdf?.remove(result.revokedVersion)
        this.compliance.statusChanged(result.revokedVersion, 'revoked')
      }
      this.safeDispatch('revocation:accepted', { revocation, result, source })
    }
    return result
  }

  async getVersion (cid: string): Promise<VersionView> {
    this.assertRunning()
    const record = await this.store.getVersion(cid)
    if (record == null) throw new NotFoundError(`no version ${cid} in this replica`)
    return this.view(record)
  }

  async getEntry (issuer: string, subject: string): Promise<VersionView> {
    this.assertRunning()
    const entry = entryId(issuer, subject)
    const head = this.store.getHead(entry)
    if (head == null) throw new NotFoundError(`no entry for subject ${subject} by ${issuer} in this replica`)
    return this.getVersion(head.cid)
  }

  async getHistory (issuer: string, subject: string): Promise<VersionView[]> {
    this.assertRunning()
    const records = await this.store.getVersions(await this.store.history(entryId(issuer, subject)))
    return records.filter(r => r != null).map(r => this.view(r))
  }

  async getRevocation (entry: string): Promise<Revocation | undefined> {
    this.assertRunning()
    return this.store.getRevocation(entry)
  }

  async list (filter: ListFilter): Promise<{ items: VersionView[], next?: string }> {
    this.assertRunning()
    const end = this.metrics.queryLatency.startTimer({ kind: 'filter' })
    try {
      const page: ListPage = await listVersions(this.store, filter, this.compliance.candidates(filter))
      return { items: page.items.map(r => this.view(r)), next: page.next }
    } finally {
      end()
    }
  }

  async sparql (query: string, accept?: string, options: QueryOptions = {}): Promise<SparqlResult> {
    this.assertRunning()
    const end = this.metrics.queryLatency.startTimer({ kind: 'sparql' })
    if (this.rdf == null) throw new InvalidQueryError('this node runs without SPARQL')
    try {
      // a query during a rebuild (at a start, or after a runaway query) waits a moment for it
      const rebuilding = this.rdf.rebuilding
      if (rebuilding != null) {
        await Promise.race([rebuilding.done.catch(() => {}), new Promise(resolve => setTimeout(resolve, SPARQL_LOAD_WAIT_MS).unref())])
        const progress = this.rdf.rebuilding
        if (progress != null) throw new SparqlUnavailableError(`${progress.reason} (${progress.loaded} of ${this.store.counts.entries} entries); filters and full text answer now`, 2)
      }
      return await this.rdf.query(query, accept, options)
    } finally {
      end()
    }
  }

  sparqlStatus (): SparqlStatus {
    if (this.rdf == null) return { state: 'off' }
    const store = this.rdf.store == null ? {} : { store: this.rdf.store }
    const rebuilding = this.rdf.rebuilding
    if (rebuilding == null) return { state: 'ready', ...store }
    return { state: 'rebuilding', loaded: rebuilding.loaded, total: this.store.counts.entries, ...store }
  }

  counts (): { entries: number, revoked: number, versions: number } {
    return this.store.counts
  }

  async facets (limit: number, filter?: FacetFilter): Promise<Facets> {
    this.assertRunning()
    return countFacets(this, limit, filter)
  }
}

export function createCatalogueNode (init: CatalogueNodeInit): CatalogueNode {
  return new DefaultCatalogueNode(init)
}
