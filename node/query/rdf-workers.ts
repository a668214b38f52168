/**
 * The RDF index in worker threads: each worker holds the whole index (every change goes to each)
 * and runs one query at a time, so that a query that has to be stopped (Oxigraph cannot cancel
 * one: its worker is terminated and loaded again from the replica, seconds at 100,000 entries)
 * takes one engine away, not SPARQL: with two or more, the others keep answering meanwhile.
 * Queries wait in a queue per client, served in turn, within each client's budget of query time
 * (sparql-shares.ts).
 */
import { Worker } from 'node:worker_threads'
import { RDF_BATCH_SIZE, RDF_BATCHES_AHEAD, RDF_GATHER_MS, SPARQL_MAX_QUERY_MEMORY, SPARQL_MAX_QUEUED, SPARQL_MAX_RESULT_BYTES, SPARQL_MAX_WAIT_MS, SPARQL_MEMORY_WATCH_MS, SPARQL_TIMEOUT_MS, SPARQL_BUDGET, SPARQL_PIPELINE_MS, SPARQL_MAX_PIPELINE, SPARQL_LONG_RUN_MS } from '../constants.ts'
import { InvalidQueryError, NodeBusyError, QueryTooLargeError, ReadOnlyQueryError, SparqlUnavailableError } from '../errors.ts'
import { siblingModule } from '../worker-module.ts'
import { nQuadsText, type RdfVersion, type SparqlResult } from './rdf-store.ts'
import { loadBatches, oneRebuildAtATime } from './rdf-rebuild.ts'
import type { RdfIndex, RdfIndexComponents, RdfIndexInit, RdfRequest, RdfResponse, RebuildProgress } from './rdf-index.ts'
import { createSparqlShares, LOCAL_CLIENT, stoppedAtLimit } from './sparql-shares.ts'

const ERRORS: Record<string, new (message: string) => Error> = { InvalidQueryError, ReadOnlyQueryError, QueryTooLargeError }

interface Query {
  sparql: string
  accept?: string
  client: string
  resolve: (result: SparqlResult) => void
  reject: (err: Error) => void
}

interface Engine {
  worker: Worker
  /** holds every active version and answers queries */
  ready: boolean
  /** the queries sent to it and not answered, by id: the first runs, the others wait in its message queue */
  inFlight: Set<number>
  /** when the query it runs now started */
  runningSince?: number
  /** load messages it has not answered yet, and who waits for fewer */
  loadsQueued: number
  catchingUp?: PromiseWithResolvers<void>
  /** sync requests it has not answered, by id */
  syncs: Map<number, () => void>
  /** versions removed while it is loaded again on its own (after a replacement) */
  removed?: Set<string>
}

export function createRdfWorkers (components: RdfIndexComponents, init: RdfIndexInit): RdfIndex {
  const log = components.logger.forComponent('gxcat:rdf')
  const timeoutMs = init.queryTimeoutMs ?? SPARQL_TIMEOUT_MS
  const maxQueued = init.maxQueued ?? SPARQL_MAX_QUEUED
  const maxResultBytes = init.maxResultBytes ?? SPARQL_MAX_RESULT_BYTES
  const maxQueryMemory = init.maxQueryMemory ?? SPARQL_MAX_QUERY_MEMORY
  const shares = createSparqlShares<Query>(init.budget ?? SPARQL_BUDGET)
  const pendingAdds: RdfVersion[] = []
  let nextId = 0
  let closed = false
  /** how long one query takes to run (moving average): the wait a new one faces */
  let averageRunMs = 5

  const engines: Engine[] = []

  const loadsDone = (engine: Engine, count: number): void => {
    engine.loadsQueued = Math.max(0, engine.loadsQueued - count)
    if (engine.loadsQueued <= RDF_BATCHES_AHEAD) {
      engine.catchingUp?.resolve()
      engine.catchingUp = undefined
    }
  }
  const caughtUp = async (engine: Engine): Promise<void> => {
    if (engine.loadsQueued <= RDF_BATCHES_AHEAD) return
    engine.catchingUp ??= Promise.withResolvers()
    await engine.catchingUp.promise
  }

  const startEngine = (): Engine => {
    const worker = new Worker(siblingModule('rdf-worker', import.meta.url), { workerData: { maxResultBytes } })
    worker.unref()
    const engine: Engine = { worker, ready: true, inFlight: new Set(), loadsQueued: 0, syncs: new Map() }
    worker.on('message', (message: RdfResponse) => {
      if (message.op === 'load-error') {
        log.error('credential %s cannot be read as RDF: %s', message.cid, message.message)
      } else if (message.op === 'loaded') {
        loadsDone(engine, 1)
      } else if (message.op === 'started') {
        started(engine, message.id)
      } else {
        const sync = engine.syncs.get(message.id)
        if (sync != null) {
          engine.syncs.delete(message.id)
          sync()
          return
        }
        answered(engine, message)
      }
    })
    worker.on('error', err => {
      if (!engines.includes(engine)) return
      log.error('an RDF worker failed: %e', err)
      replace(engine, `it failed: ${err.message}`)
    })
    return engine
  }

  /** resolves once the engine has applied every message sent to it before */
  const synced = async (engine: Engine): Promise<void> => {
    // a closed index's workers answer nothing more
    if (closed) return
    const id = nextId++
    const { promise, resolve } = Promise.withResolvers<void>()
    engine.syncs.set(id, resolve)
    engine.worker.postMessage({ op: 'sync', id } satisfies RdfRequest)
    await promise
  }

  /** sends versions to one engine: those read already as one text, the others (the worker reads them) as JWS */
  const postLoad = (engine: Engine, versions: RdfVersion[], text?: Uint8Array<ArrayBuffer>): void => {
    const read = versions.filter(v => v.nQuads != null)
    const unread = versions.filter(v => v.nQuads == null)
    if (read.length > 0) {
      const moved = text ?? nQuadsText(read.map(v => v.nQuads as string))
      engine.worker.postMessage({ op: 'load-nquads', text: moved, cids: read.map(v => v.cid) } satisfies RdfRequest, [moved.buffer])
      engine.loadsQueued++
    }
    if (unread.length > 0) {
      engine.worker.postMessage({ op: 'load', versions: unread } satisfies RdfRequest)
      engine.loadsQueued++
    }
  }

  /** every engine gets each batch: the text written once, copied for all but the last, which takes it */
  const broadcast = (versions: RdfVersion[]): void => {
    const read = versions.filter(v => v.nQuads != null)
    const text = read.length > 0 ? nQuadsText(read.map(v => v.nQuads as string)) : undefined
    engines.forEach((engine, i) => {
      postLoad(engine, versions, text == null || i === engines.length - 1 ? text : new Uint8Array(text))
    })
  }

  let gathering: ReturnType<typeof setTimeout> | undefined
  const flushAdds = (): void => {
    clearTimeout(gathering)
    gathering = undefined
    while (pendingAdds.length > 0) broadcast(pendingAdds.splice(0, RDF_BATCH_SIZE))
  }

  /** The first load, of every engine at once (at a start); queries wait for it. */
  const rebuilds = oneRebuildAtATime(async (removed, options) => {
    const loaded = await loadBatches(init.source, removed, options, {
      send: versions => { pendingAdds.push(...versions); flushAdds() },
      caughtUp: async () => { await Promise.all(engines.map(caughtUp)) },
      stale: () => closed
    })
    if (closed) return loaded
    await Promise.all(engines.map(synced))
    pump()
    return loaded
  })
  /** engines loading again after a replacement, and how far */
  const reloading = new Map<Engine, RebuildProgress>()

  /** Loads one engine from the replica on its own (after it replaced a stopped one), while the others answer. */
  const reload = async (engine: Engine, why: string): Promise<void> => {
    const started = performance.now()
    const removed = engine.removed ?? new Set<string>()
    engine.removed = removed
    const { promise: done, resolve } = Promise.withResolvers<number>()
    const progress: RebuildProgress = { reason: `the SPARQL engine is restarting (${why})`, loaded: 0, done }
    reloading.set(engine, progress)
    let loaded = 0
    try {
      // a first load under way loads it too; once that ends, it holds what that load sent before it existed
      await rebuilds.settled()
      loaded = await loadBatches(init.source, removed, { onProgress: n => { progress.loaded = n } }, {
        send: versions => { flushAdds(); postLoad(engine, versions) },
        caughtUp: async () => { await caughtUp(engine) },
        stale: () => closed || !engines.includes(engine)
      })
      if (closed || !engines.includes(engine)) return
      await synced(engine)
      engine.removed = undefined
      engine.ready = true
      log('an RDF worker is back with %d entries after %d ms', loaded, Math.round(performance.now() - started))
      pump()
    } catch (err: any) {
      if (!closed) log.error('loading an RDF worker again failed: %e', err)
    } finally {
      reloading.delete(engine)
      resolve(loaded)
    }
  }

  /**
   * Stops an engine whatever it runs (the only way to stop a query), which releases its memory,
   * and starts another in its place, loaded from the replica while the other engines answer.
   */
  const replace = (engine: Engine, why: string): void => {
    if (closed) return
    const at = engines.indexOf(engine)
    if (at < 0) return
    void engine.worker.terminate()
    // the query it ran fails; those waiting behind it go back to the front of their clients' queues
    const waiting: Array<{ id: number, query: Query }> = []
    for (const [id, run] of runs) {
      if (run.engine !== engine) continue
      if (run.startedAt == null) {
        runs.delete(id)
        waiting.push({ id, query: run.query })
        continue
      }
      finish(id)
      run.query.reject(new SparqlUnavailableError(`the SPARQL engine is restarting (${why})`))
    }
    for (const { query } of waiting.sort((a, b) => b.id - a.id)) shares.putBack(query.client, query)
    for (const sync of engine.syncs.values()) sync()
    loadsDone(engine, engine.loadsQueued)
    log('replacing an RDF worker: %s', why)
    const fresh = startEngine()
    fresh.ready = false
    fresh.removed = new Set()
    engines[at] = fresh
    void reload(fresh, why)
    pump()
  }

  // the query each engine runs: when it started, its budget timer and memory watch
  const runs = new Map<number, { engine: Engine, query: Query, startedAt?: number, timer?: ReturnType<typeof setTimeout>, watch?: ReturnType<typeof setInterval> }>()

  /**
   * Ends a query's run. `charged`: what its client pays at the least (a query stopped at its
   * budget pays all of it, however early the timer fired). `typical`: an answer, whose time says
   * what the next query will take; a stopped query's does not.
   */
  const finish = (id: number, charged = 0, typical = true): { engine: Engine, query: Query } | undefined => {
    const run = runs.get(id)
    if (run == null) return undefined
    runs.delete(id)
    clearTimeout(run.timer)
    clearInterval(run.watch)
    run.engine.inFlight.delete(id)
    run.engine.runningSince = undefined
    if (run.startedAt != null) {
      const ms = performance.now() - run.startedAt
      if (typical) averageRunMs = 0.8 * averageRunMs + 0.2 * ms
      shares.charge(run.query.client, Math.max(ms, charged))
    }
    return run
  }

  // the budget runs from when the worker starts the query, not from when it was queued; it is
  // the node's timeout, or what is left of the client's share if that is less
  const started = (engine: Engine, id: number): void => {
    const run = runs.get(id)
    if (run == null) return
    run.startedAt = performance.now()
    engine.runningSince = run.startedAt
    const budgetMs = shares.timeLimit(run.query.client, timeoutMs)
    run.timer = setTimeout(() => {
      if (finish(id, budgetMs, false) == null) return
      run.query.reject(stoppedAtLimit(budgetMs, timeoutMs))
      replace(engine, `a query ran longer than ${Math.round(budgetMs)} ms`)
    }, budgetMs)
    run.timer.unref()
    // Oxigraph builds a whole answer in its WebAssembly memory before the worker can measure it
    // (a cartesian product took a node to 2.3 GB within its time budget): the process's memory
    // is watched while the query runs, and the worker stopped past the cap
    const before = process.memoryUsage.rss()
    run.watch = setInterval(() => {
      if (process.memoryUsage.rss() - before <= maxQueryMemory || finish(id, 0, false) == null) return
      run.query.reject(new QueryTooLargeError(`the query took more than ${Math.round(maxQueryMemory / 2 ** 20)} MiB of memory to answer and was stopped: ask for less (LIMIT, more specific patterns)`))
      replace(engine, 'a query took too much memory')
    }, SPARQL_MEMORY_WATCH_MS)
    run.watch.unref()
  }

  const answered = (engine: Engine, message: Extract<RdfResponse, { op: 'result' }>): void => {
    const run = finish(message.id, 0, message.error == null)
    if (run == null) return
    if (message.error != null) run.query.reject(new (ERRORS[message.error.name] ?? Error)(message.error.message))
    else run.query.resolve(message.result as SparqlResult)
    // an answer past its budget has grown the worker's memory: give that memory back
    if (message.error?.name === QueryTooLargeError.name) replace(engine, 'its answer was too large')
    else pump()
  }

  /**
   * Gives the engines that hold the index the next queries, taking the clients in turn: each
   * gets enough to keep it busy for SPARQL_PIPELINE_MS (the main thread may be busy when it
   * answers), the least loaded first, and none while its query has run long (it may be a bomb:
   * what waits behind it would wait for its stop).
   */
  const pump = (): void => {
    const depth = Math.min(SPARQL_MAX_PIPELINE, Math.max(2, Math.ceil(SPARQL_PIPELINE_MS / Math.max(0.1, averageRunMs))))
    const now = performance.now()
    const open = (engine: Engine): boolean => engine.ready && engine.inFlight.size < depth &&
      (engine.runningSince == null || now - engine.runningSince < SPARQL_LONG_RUN_MS)
    let flushed = false
    for (;;) {
      const engine = engines.filter(open).sort((a, b) => a.inFlight.size - b.inFlight.size)[0]
      if (engine == null) return
      const next = shares.next()
      if (next == null) return
      // a query sees every change made before it
      if (!flushed) flushAdds()
      flushed = true
      const id = nextId++
      engine.inFlight.add(id)
      runs.set(id, { engine, query: next.job })
      engine.worker.postMessage({ op: 'query', id, sparql: next.job.sparql, accept: next.job.accept } satisfies RdfRequest)
    }
  }

  const query = async (sparql: string, accept: string | undefined, client: string): Promise<SparqlResult> => {
    if (closed) throw new SparqlUnavailableError('the node is stopping')
    const rebuilding = rebuilds.progress
    if (rebuilding != null) throw new SparqlUnavailableError(`${rebuilding.reason} (${rebuilding.loaded} entries loaded); filters still answer`)
    if (!engines.some(e => e.ready)) {
      const progress = reloading.values().next().value
      throw new SparqlUnavailableError(`${progress?.reason ?? 'the SPARQL engine is restarting'} (${progress?.loaded ?? 0} entries loaded); filters still answer`)
    }
    const ahead = shares.waiting + runs.size
    const perEngine = ahead / Math.max(1, engines.filter(e => e.ready).length)
    if (ahead >= maxQueued || perEngine * averageRunMs > SPARQL_MAX_WAIT_MS) {
      throw new NodeBusyError(`${ahead} SPARQL queries are ahead of this one (about ${Math.round(perEngine * averageRunMs)} ms of work); filters still answer`)
    }
    return new Promise((resolve, reject) => {
      shares.enqueue(client, { sparql, accept, client, resolve, reject })
      pump()
    })
  }

  for (let i = 0; i < Math.max(1, init.workers ?? 1); i++) engines.push(startEngine())

  return {
    add (version) {
      pendingAdds.push(version)
      if (pendingAdds.length >= RDF_BATCH_SIZE) flushAdds()
      else gathering ??= setTimeout(flushAdds, RDF_GATHER_MS).unref()
    },
    remove (cid) {
      flushAdds()
      rebuilds.removing(cid)
      for (const engine of engines) {
        engine.removed?.add(cid)
        engine.worker.postMessage({ op: 'remove', cids: [cid] } satisfies RdfRequest)
      }
    },
    async idle () {
      await rebuilds.settled()
      flushAdds()
      await Promise.all(engines.map(synced))
    },
    async caughtUp () {
      flushAdds()
      await Promise.all(engines.map(caughtUp))
    },
    rebuild: rebuilds.start,
    get rebuilding () {
      if (rebuilds.progress != null) return rebuilds.progress
      // every engine loading again after a replacement: SPARQL is down until one is back
      return engines.every(e => !e.ready) ? reloading.values().next().value : undefined
    },
    async query (sparql, accept, options = {}) {
      return await query(sparql, accept, options.client ?? LOCAL_CLIENT)
    },
    async close () {
      closed = true
      clearTimeout(gathering)
      for (const [id, run] of runs) {
        finish(id)
        run.query.reject(new SparqlUnavailableError('the node is stopping'))
      }
      for (let next = shares.next(); next != null; next = shares.next()) next.job.reject(new SparqlUnavailableError('the node is stopping'))
      for (const engine of engines) {
        loadsDone(engine, engine.loadsQueued)
        for (const sync of engine.syncs.values()) sync()
      }
      await Promise.all(engines.map(async e => e.worker.terminate()))
    }
  }
}
