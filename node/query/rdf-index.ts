/**
 * The SPARQL side of the query engine, off the ingest path: changes are queued and applied in
 * batches, either in a worker thread (a node: parsing and queries leave the event loop free)
 * or inline (simulations of many nodes, where a thread per node costs too much memory).
 * A query sees every change made before it.
 */
import { Worker } from 'node:worker_threads'
import { RDF_BATCH_SIZE, RDF_BATCHES_AHEAD, RDF_GATHER_MS, SPARQL_MAX_QUERY_MEMORY, SPARQL_MAX_QUEUED, SPARQL_MAX_RESULT_BYTES, SPARQL_MAX_WAIT_MS, SPARQL_MEMORY_WATCH_MS, SPARQL_TIMEOUT_MS } from '../constants.ts'
import { InvalidQueryError, NodeBusyError, QueryTimeoutError, QueryTooLargeError, ReadOnlyQueryError, SparqlUnavailableError } from '../errors.ts'
import { siblingModule } from '../worker-module.ts'
import { createRdfStore, nQuadsText, versionNQuads, type RdfVersion, type SparqlResult } from './rdf-store.ts'
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

export interface RdfIndex {
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
  query (sparql: string, accept?: string): Promise<SparqlResult>
  close (): Promise<void>
}

interface RebuildSink {
  send (versions: RdfVersion[]): void
  caughtUp (): Promise<void>
  /** true once what was sent went to a worker since replaced: the pass stops */
  stale (): boolean
}

/** One pass over the source: each batch less the versions removed meanwhile, with its N-Quads, sent; the next read once the sink has caught up. */
async function loadBatches (source: RdfIndexInit['source'], removed: Set<string>, options: RebuildOptions, sink: RebuildSink): Promise<number> {
  let loaded = 0
  for await (const batch of source?.(options) ?? []) {
    if (sink.stale()) break
    sink.send(batch.filter(v => !removed.has(v.cid)).map(v => ({ ...v, nQuads: v.nQuads ?? versionNQuads(v) })))
    loaded += batch.length
    options.onProgress?.(loaded)
    await sink.caughtUp()
  }
  return loaded
}

const ERRORS: Record<string, new (message: string) => Error> = { InvalidQueryError, ReadOnlyQueryError, QueryTooLargeError }

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

  const timeoutMs = init.queryTimeoutMs ?? SPARQL_TIMEOUT_MS
  const maxQueued = init.maxQueued ?? SPARQL_MAX_QUEUED
  const maxResultBytes = init.maxResultBytes ?? SPARQL_MAX_RESULT_BYTES
  const maxQueryMemory = init.maxQueryMemory ?? SPARQL_MAX_QUERY_MEMORY
  let nextId = 0
  let worker: Worker
  let closed = false
  const waiting = new Map<number, { resolve: (r: SparqlResult | undefined) => void, reject: (e: Error) => void, started?: () => void }>()
  /** queries sent and not answered, and how long one takes to run (moving average): the wait a new one faces */
  let queriesWaiting = 0
  let averageRunMs = 5
  /** load messages the worker has not answered yet, and who waits for fewer */
  let loadsQueued = 0
  let catchingUp: PromiseWithResolvers<void> | undefined
  const loadsDone = (count: number): void => {
    loadsQueued = Math.max(0, loadsQueued - count)
    if (loadsQueued <= RDF_BATCHES_AHEAD) {
      catchingUp?.resolve()
      catchingUp = undefined
    }
  }
  const loadsCaughtUp = async (): Promise<void> => {
    if (loadsQueued <= RDF_BATCHES_AHEAD) return
    catchingUp ??= Promise.withResolvers()
    await catchingUp.promise
  }

  const rejectAll = (error: Error): void => {
    for (const waiter of waiting.values()) waiter.reject(error)
    waiting.clear()
  }

  const startWorker = (): Worker => {
    const started = new Worker(siblingModule('rdf-worker', import.meta.url), { workerData: { maxResultBytes } })
    started.unref()
    started.on('message', (message: RdfResponse) => {
      if (message.op === 'load-error') {
        log.error('credential %s cannot be read as RDF: %s', message.cid, message.message)
        return
      }
      if (message.op === 'started') {
        waiting.get(message.id)?.started?.()
        return
      }
      if (message.op === 'loaded') {
        if (started === worker) loadsDone(1)
        return
      }
      const waiter = waiting.get(message.id)
      waiting.delete(message.id)
      if (message.error != null) waiter?.reject(new (ERRORS[message.error.name] ?? Error)(message.error.message))
      else waiter?.resolve(message.result)
      // an answer past its budget has grown the worker's memory: give that memory back
      if (message.error?.name === QueryTooLargeError.name && started === worker) replace('its answer was too large')
    })
    started.on('error', err => {
      if (started !== worker) return
      log.error('the RDF worker failed: %e', err)
      replace(`it failed: ${err.message}`)
    })
    return started
  }

  /**
   * Loads the worker from the source; where the worker is replaced meanwhile, the pass stops and
   * starts over into the new one (the versions removed so far stay out).
   */
  const rebuilds = oneRebuildAtATime(async (removed, options) => {
    for (;;) {
      const target = worker
      const loaded = await loadBatches(init.source, removed, options, {
        send: versions => { pendingAdds.push(...versions); flushAdds() },
        caughtUp: loadsCaughtUp,
        stale: () => closed || worker !== target
      })
      if (closed) return loaded
      if (worker !== target) continue
      try {
        await request({ op: 'sync' }, Infinity, true)
      } catch (err) {
        if (closed || worker === target) throw err
      }
      if (worker === target) return loaded
    }
  })

  /**
   * Stops the worker whatever it runs (the only way to stop a query: Oxigraph cannot cancel one),
   * which releases its memory, and loads a new one from the replica. Queries queued behind are
   * answered 503; filters never depended on it.
   */
  const replace = (why: string): void => {
    if (closed) return
    const old = worker
    void old.terminate()
    rejectAll(new SparqlUnavailableError(`the SPARQL engine is restarting (${why})`))
    log('replacing the RDF worker: %s', why)
    worker = startWorker()
    loadsDone(loadsQueued) // the old worker answers none of them now
    // a rebuild under way starts over into the new worker by itself
    if (rebuilds.progress != null) return
    const started = performance.now()
    rebuilds.start({}, `the SPARQL engine is restarting (${why})`).then(loaded => {
      log('the RDF worker is back with %d entries after %d ms', loaded, Math.round(performance.now() - started))
    }, (err: Error) => {
      if (!closed) log.error('reloading the RDF worker failed: %e', err)
    })
  }

  /** sends versions to the worker: those read already as one text, the others (the worker reads them) as JWS */
  const postLoad = (versions: RdfVersion[]): void => {
    const read = versions.filter(v => v.nQuads != null)
    const unread = versions.filter(v => v.nQuads == null)
    if (read.length > 0) {
      const text = nQuadsText(read.map(v => v.nQuads as string))
      worker.postMessage({ op: 'load-nquads', text, cids: read.map(v => v.cid) } satisfies RdfRequest, [text.buffer])
      loadsQueued++
    }
    if (unread.length > 0) {
      worker.postMessage({ op: 'load', versions: unread } satisfies RdfRequest)
      loadsQueued++
    }
  }

  let gathering: ReturnType<typeof setTimeout> | undefined
  const flushAdds = (): void => {
    clearTimeout(gathering)
    gathering = undefined
    while (pendingAdds.length > 0) postLoad(pendingAdds.splice(0, RDF_BATCH_SIZE))
  }
  const request = async (message: { op: 'query', sparql: string, accept?: string } | { op: 'sync' }, budgetMs = timeoutMs, duringRebuild = false): Promise<SparqlResult | undefined> => {
    if (closed) throw new SparqlUnavailableError('the node is stopping')
    const rebuilding = rebuilds.progress
    if (rebuilding != null && !duringRebuild) throw new SparqlUnavailableError(`${rebuilding.reason} (${rebuilding.loaded} entries loaded); filters still answer`)
    const isQuery = message.op === 'query'
    if (isQuery && (queriesWaiting >= maxQueued || queriesWaiting * averageRunMs > SPARQL_MAX_WAIT_MS)) {
      throw new NodeBusyError(`${queriesWaiting} SPARQL queries are ahead of this one (about ${Math.round(queriesWaiting * averageRunMs)} ms of work); filters still answer`)
    }
    flushAdds()
    const id = nextId++
    const sentTo = worker
    if (isQuery) queriesWaiting++
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      let memoryWatch: ReturnType<typeof setInterval> | undefined
      let startedAt: number | undefined
      const done = (): void => {
        clearTimeout(timer)
        clearInterval(memoryWatch)
        if (!isQuery) return
        queriesWaiting--
        if (startedAt != null) averageRunMs = 0.8 * averageRunMs + 0.2 * (performance.now() - startedAt)
      }
      // the budget runs from when the worker starts the query, not from when it was queued
      const started = (): void => {
        startedAt = performance.now()
        if (!Number.isFinite(budgetMs)) return
        timer = setTimeout(() => {
          if (!waiting.has(id)) return
          waiting.delete(id)
          done()
          reject(new QueryTimeoutError(`the query ran longer than ${budgetMs} ms and was stopped`))
          if (sentTo === worker) replace(`a query ran longer than ${budgetMs} ms`)
        }, budgetMs)
        timer.unref()
        if (!isQuery) return
        // Oxigraph builds a whole answer in its WebAssembly memory before the worker can measure
        // it (a cartesian product took a node to 2.3 GB within its time budget): the process's
        // memory is watched while the query runs, and the worker stopped past the cap
        const before = process.memoryUsage.rss()
        memoryWatch = setInterval(() => {
          const grown = process.memoryUsage.rss() - before
          if (grown <= maxQueryMemory || !waiting.has(id)) return
          waiting.delete(id)
          done()
          reject(new QueryTooLargeError(`the query took more than ${Math.round(maxQueryMemory / 2 ** 20)} MiB of memory to answer and was stopped: ask for less (LIMIT, more specific patterns)`))
          if (sentTo === worker) replace('a query took too much memory')
        }, SPARQL_MEMORY_WATCH_MS)
        memoryWatch.unref()
      }
      waiting.set(id, {
        resolve: r => { done(); resolve(r) },
        reject: e => { done(); reject(e) },
        started
      })
      sentTo.postMessage({ ...message, id } satisfies RdfRequest)
    })
  }

  worker = startWorker()

  return {
    add (version) {
      pendingAdds.push(version)
      if (pendingAdds.length >= RDF_BATCH_SIZE) flushAdds()
      else gathering ??= setTimeout(flushAdds, RDF_GATHER_MS).unref()
    },
    remove (cid) {
      flushAdds()
      rebuilds.removing(cid)
      worker.postMessage({ op: 'remove', cids: [cid] } satisfies RdfRequest)
    },
    async idle () {
      await rebuilds.settled()
      await request({ op: 'sync' }, Infinity)
    },
    async caughtUp () {
      flushAdds()
      await loadsCaughtUp()
    },
    rebuild: rebuilds.start,
    get rebuilding () { return rebuilds.progress },
    async query (sparql, accept) { return await request({ op: 'query', sparql, accept }) as SparqlResult },
    async close () {
      closed = true
      loadsDone(loadsQueued)
      clearTimeout(gathering)
      rejectAll(new SparqlUnavailableError('the node is stopping'))
      await worker.terminate()
    }
  }
}

/** The rebuild under way, if any: a second caller joins it, and removals are noted while it runs. */
function oneRebuildAtATime (run: (removed: Set<string>, options: RebuildOptions) => Promise<number>): {
  /** the rebuild under way; its count of versions read moves on as it reads */
  readonly progress: RebuildProgress | undefined
  removing (cid: string): void
  start (options?: RebuildOptions, reason?: string): Promise<number>
  /** resolves when no rebuild runs, whether the last one succeeded or not */
  settled (): Promise<void>
} {
  let current: RebuildProgress & { removed: Set<string> } | undefined
  return {
    get progress () { return current },
    removing (cid) { current?.removed.add(cid) },
    async start (options = {}, reason = 'the SPARQL index is being rebuilt') {
      if (current != null) return await current.done
      const state = { reason, removed: new Set<string>(), done: Promise.resolve(0), loaded: 0 }
      current = state
      state.done = run(state.removed, { ...options, onProgress: loaded => { state.loaded = loaded; options.onProgress?.(loaded) } })
        .finally(() => { if (current === state) current = undefined })
      return await state.done
    },
    async settled () {
      while (current != null) await current.done.catch(() => {})
    }
  }
}
