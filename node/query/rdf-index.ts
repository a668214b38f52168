/**
 * The SPARQL side of the query engine, off the ingest path: changes are queued and applied in
 * batches, either in a worker thread (a node: parsing and queries leave the event loop free)
 * or inline (simulations of many nodes, where a thread per node costs too much memory).
 * A query sees every change made before it.
 */
import { Worker } from 'node:worker_threads'
import { RDF_BATCH_SIZE, RDF_BATCHES_AHEAD, RDF_GATHER_MS, SPARQL_MAX_QUEUED, SPARQL_MAX_RESULT_BYTES, SPARQL_MAX_WAIT_MS, SPARQL_TIMEOUT_MS } from '../constants.ts'
import { InvalidQueryError, NodeBusyError, QueryTimeoutError, QueryTooLargeError, ReadOnlyQueryError, SparqlUnavailableError } from '../errors.ts'
import { siblingModule } from '../worker-module.ts'
import { createRdfStore, nQuadsText, versionNQuads, type RdfVersion, type SparqlResult } from './rdf-store.ts'
import type { ComponentLogger } from '@libp2p/interface'

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
  /** the active versions, in batches, to load a replaced worker with */
  reload?: () => AsyncIterable<RdfVersion[]>
}

export interface RdfIndex {
  add (version: RdfVersion): void
  remove (cid: string): void
  /** resolves when every queued change is applied */
  idle (): Promise<void>
  /** resolves when at most RDF_BATCHES_AHEAD batches wait to be loaded: one adding many versions waits on it between batches */
  caughtUp (): Promise<void>
  query (sparql: string, accept?: string): Promise<SparqlResult>
  close (): Promise<void>
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
    return {
      add (version) { pendingAdds.push(version); flush() },
      remove (cid) {
        // order matters: apply the adds queued before this removal first
        store.load(pendingAdds.splice(0))
        store.remove(cid)
      },
      idle,
      caughtUp: idle,
      async query (sparql, accept) { await idle(); return store.query(sparql, accept) },
      async close () { await idle() }
    }
  }

  const timeoutMs = init.queryTimeoutMs ?? SPARQL_TIMEOUT_MS
  const maxQueued = init.maxQueued ?? SPARQL_MAX_QUEUED
  const maxResultBytes = init.maxResultBytes ?? SPARQL_MAX_RESULT_BYTES
  let nextId = 0
  let worker: Worker
  let closed = false
  /** set while a replaced worker is being loaded again; queries are refused meanwhile */
  let restarting: Promise<void> | undefined
  let removedWhileRestarting = new Set<string>()
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
   * Stops the worker whatever it runs (the only way to stop a query: Oxigraph cannot cancel one),
   * which releases its memory, and loads a new one from the replica. Queries queued behind are
   * answered 503; filters never depended on it.
   */
  const replace = (why: string): void => {
    if (closed) return
    const old = worker
    void old.terminate()
    rejectAll(new SparqlUnavailableError(`the SPARQL engine is restarting: a query ran past its budget (${why})`))
    log('replacing the RDF worker: %s', why)
    worker = startWorker()
    loadsDone(loadsQueued) // the old worker answers none of them now
    const current = worker
    removedWhileRestarting = new Set()
    const started = performance.now()
    const loading = (async () => {
      let loaded = 0
      for await (const batch of init.reload?.() ?? []) {
        if (closed || worker !== current) return
        const versions = batch.filter(v => !removedWhileRestarting.has(v.cid)).map(v => ({ ...v, nQuads: versionNQuads(v) }))
        loaded += versions.length
        postLoad(versions)
        await loadsCaughtUp()
      }
      await request({ op: 'sync' }, Infinity, true)
      log('the RDF worker is back with %d entries after %d ms', loaded, Math.round(performance.now() - started))
    })()
    restarting = loading.catch((err: Error) => { log.error('reloading the RDF worker failed: %e', err) }).finally(() => {
      if (worker === current) restarting = undefined
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
  const request = async (message: { op: 'query', sparql: string, accept?: string } | { op: 'sync' }, budgetMs = timeoutMs, duringRestart = false): Promise<SparqlResult | undefined> => {
    if (closed) throw new SparqlUnavailableError('the node is stopping')
    if (restarting != null && !duringRestart) throw new SparqlUnavailableError('the SPARQL engine is restarting after a query that ran past its budget; filters still answer')
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
      let startedAt: number | undefined
      const done = (): void => {
        clearTimeout(timer)
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
      if (restarting != null) removedWhileRestarting.add(cid)
      worker.postMessage({ op: 'remove', cids: [cid] } satisfies RdfRequest)
    },
    async idle () {
      await restarting
      await request({ op: 'sync' }, Infinity)
    },
    async caughtUp () {
      flushAdds()
      await loadsCaughtUp()
    },
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
