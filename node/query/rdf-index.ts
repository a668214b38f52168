/**
 * The SPARQL side of the query engine, off the ingest path: changes are queued and applied in
 * batches, either in worker threads (a node: parsing and queries leave the event loop free;
 * rdf-workers.ts) or inline (simulations of many nodes, where a thread per node costs too much
 * memory). A query sees every change made before it.
 */
import { RDF_BATCH_SIZE } from '../constants.ts'
import { createRdfStore, type RdfVersion, type SparqlResult } from './rdf-store.ts'
import { loadBatches, oneRebuildAtATime } from './rdf-rebuild.ts'
import { createRdfWorkers } from './rdf-workers.ts'
import type { SparqlBudget } from './sparql-shares.ts'
import type { AbortOptions, ComponentLogger } from '@libp2p/interface'

export type { RdfVersion, SparqlResult } from './rdf-store.ts'
export { versionNQuads } from './rdf-store.ts'

export type RdfRequest =
  | { op: 'load', versions: RdfVersion[] }
  /** versions whose N-Quads the sender wrote already, as one text moved (not copied) to the worker */
  | { op: 'load-nquads', text: Uint8Array<ArrayBuffer>, cids: string[] }
  | { op: 'remove', cids: string[] }
  | { op: 'query', id: number, sparql: string, accept?: string }
  | { op: 'sync', id: number }

export type RdfResponse =
  | { op: 'result', id: number, result?: SparqlResult, error?: { name: string, message: string } }
  | { op: 'load-error', cid: string, message: string }
  | { op: 'started', id: number }
  /** a load or load-nquads is done */
  | { op: 'loaded' }

export interface RdfIndexComponents {
  logger: ComponentLogger
}

export interface RdfIndexInit {
  /** run the store in a worker thread. @default true */
  worker?: boolean
  /** longest a query may run (worker mode). @default SPARQL_TIMEOUT_MS */
  queryTimeoutMs?: number
  /** queries that may wait at once (worker mode). @default SPARQL_MAX_QUEUED */
  maxQueued?: number
  /** largest serialised answer (worker mode). @default SPARQL_MAX_RESULT_BYTES */
  maxResultBytes?: number
  /** most memory the process may grow by while one query runs (worker mode); past it the query is stopped. @default SPARQL_MAX_QUERY_MEMORY */
  maxQueryMemory?: number
  /** the active versions of the replica, in batches: what a rebuild loads (at a start, and into a replaced worker) */
  source?: (options: AbortOptions) => AsyncIterable<RdfVersion[]>
  /** worker threads that each hold the index and run queries (worker mode): with two or more, SPARQL answers while one is stopped and loaded again. @default 1 */
  workers?: number
  /** query time each client may use per window (worker mode). @default SPARQL_BUDGET */
  budget?: SparqlBudget
}

export interface QueryOptions {
  /** who asks: its queries wait in a queue of their own and are charged to its budget */
  client?: string
}

export interface RebuildOptions extends AbortOptions {
  /** hears how many versions have been read, after each batch */
  onProgress?: (loaded: number) => void
}

export interface RebuildProgress {
  /** why the index is being loaded, for whoever is refused a query meanwhile */
  reason: string
  /** versions read so far */
  loaded: number
  /** settles when the rebuild ends */
  done: Promise<number>
}

/** An external store's part: its endpoint, the changes not yet in it, whether it answered the last request, and whether it is being compared with the replica (at a start, after an outage). */
export interface StoreState {
  url: string
  pending: number
  reachable: boolean
  comparing: boolean
}

export interface RdfIndex {
  /** where the index is an external store (external-index.ts), how it stands */
  readonly store?: StoreState
  add (version: RdfVersion): void
  remove (cid: string): void
  /** resolves when every queued change is applied */
  idle (): Promise<void>
  /** resolves when at most RDF_BATCHES_AHEAD batches wait to be loaded: one adding many versions waits on it between batches */
  caughtUp (): Promise<void>
  /**
   * Loads the index from `init.source` while changes keep coming: a version removed meanwhile
   * stays out. Each batch's N-Quads are written here (at a start the main thread has little
   * else to do) and the next batch is read while the worker loads the last. Resolves with the
   * versions read once the index holds them all; a rebuild under way is joined, not repeated.
   */
  rebuild (options?: RebuildOptions): Promise<number>
  /** the rebuild under way, if any (at a start, or into a replaced worker) */
  readonly rebuilding: RebuildProgress | undefined
  query (sparql: string, accept?: string, options?: QueryOptions): Promise<SparqlResult>
  close (): Promise<void>
}

export function createRdfIndex (components: RdfIndexComponents, init: RdfIndexInit = {}): RdfIndex {
  const log = components.logger.forComponent('gxcat:rdf')
  let pendingAdds: RdfVersion[] = []

  if (init.worker === false) {
    const store = createRdfStore()
    let draining: Promise<void> | undefined
    const drain = async (): Promise<void> => {
      while (pendingAdds.length > 0) {
        const batch = pendingAdds.slice(0, RDF_BATCH_SIZE)
        pendingAdds = pendingAdds.slice(batch.length)
        store.load(batch, (cid, err) => { log.error('credential %s cannot be read as RDF: %s', cid, err.message) })
        await new Promise(resolve => setImmediate(resolve))
      }
      draining = undefined
    }
    const flush = (): void => { draining ??= new Promise<void>(resolve => setImmediate(resolve)).then(drain) }
    const idle = async (): Promise<void> => { flush(); while (draining != null) await draining }
    const rebuilds = oneRebuildAtATime(async (removed, options) => {
      const loaded = await loadBatches(init.source, removed, options, {
        send: versions => { pendingAdds.push(...versions); flush() },
        caughtUp: idle,
        stale: () => false
      })
      await idle()
      return loaded
    })
    return {
      add (version) { pendingAdds.push(version); flush() },
      remove (cid) {
        rebuilds.removing(cid)
        // order matters: apply the adds queued before this removal first
        store.load(pendingAdds.splice(0))
        store.remove(cid)
      },
      idle,
      caughtUp: idle,
      rebuild: rebuilds.start,
      get rebuilding () { return rebuilds.progress },
      async query (sparql, accept) { await idle(); return store.query(sparql, accept) },
      async close () { await idle() }
    }
  }
  return createRdfWorkers(components, init)
}
