/**
 * The official shapes on every core: a pool of worker threads, shared by the nodes of a process
 * (a simulation of hundreds of nodes gets one pool, not hundreds). Credentials submitted in one
 * tick are gathered and split among the workers, the least loaded first, so that a lone
 * credential (gossip, one HTTP client) goes out at once and a bulk import keeps every worker
 * busy; the main thread keeps parsing, ordering and storing. Without a worker (one core, or a
 * setting of 0) the shapes run in this thread as before.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { mentionsGaiax, validateGaiaxShapes, type ShapesValidator, type ShapeViolation } from '../../protocols/self-description/index.ts'
import { MAX_SHAPES_WORKERS, SHAPES_BATCH, SHAPES_VERDICT_CACHE } from '../constants.ts'
import { siblingModule } from '../worker-module.ts'

/** Credentials as JSON text: strings cross to a worker as flat copies, where objects are cloned field by field. */
export interface ShapesRequest { id: number, texts: string[] }
export type ShapesResponse =
  | { id: number, results: ShapeViolation[][], error?: undefined, ready?: undefined }
  | { id: number, error: string, results?: undefined, ready?: undefined }
  | { ready: true, id?: undefined }

export interface ShapesPool extends ShapesValidator {
  readonly size: number
  /** verdicts answered from memory (credentials validated before) */
  readonly remembered: number
  /** resolves once every worker has parsed the shapes (credentials sent earlier wait for that) */
  ready (): Promise<void>
  close (): Promise<void>
}

interface Pending {
  text: string
  resolve: (violations: ShapeViolation[]) => void
  reject: (err: Error) => void
}

/** The default size: every core but the one the main thread needs, within MAX_SHAPES_WORKERS. */
function defaultShapesWorkers (): number {
  return Math.min(MAX_SHAPES_WORKERS, availableParallelism() - 1)
}

/**
 * The pool's validate: credentials that name no Gaia-X vocabulary conform at once; each other
 * credential's verdict is remembered by its JSON text for the credentials validated after it
 * (a simulation's nodes in one process validate each credential once between them), and only
 * the others go to `run`. Credentials being validated share one run; at most
 * SHAPES_VERDICT_CACHE verdicts are kept, the oldest dropped first.
 */
function rememberVerdicts (run: (text: string, credential: Record<string, unknown>) => Promise<ShapeViolation[]>): { validate: ShapesValidator['validate'], hits: () => number } {
  const verdicts = new Map<string, Promise<ShapeViolation[]>>()
  let hits = 0
  return {
    hits: () => hits,
    validate: async (credential, text = JSON.stringify(credential)) => {
      if (!mentionsGaiax(text)) return []
      const verdict = verdicts.get(text)
      if (verdict != null) {
        hits++
        return verdict
      }
      const fresh = run(text, credential)
      verdicts.set(text, fresh)
      if (verdicts.size > SHAPES_VERDICT_CACHE) verdicts.delete(verdicts.keys().next().value as string)
      // a failure (a worker that died) is not a verdict: the next one tries again
      fresh.catch(() => { if (verdicts.get(text) === fresh) verdicts.delete(text) })
      return fresh
    }
  }
}

export function createShapesPool (size = defaultShapesWorkers()): ShapesPool {
  if (size <= 0) {
    const inThread = rememberVerdicts(async (_text, credential) => validateGaiaxShapes(credential))
    return { size: 0, get remembered () { return inThread.hits() }, validate: inThread.validate, async ready () {}, async close () {} }
  }
  const workers: Array<{ worker: Worker, load: number, ready: Promise<void> }> = []
  const waiting = new Map<number, { batch: Pending[], slot: { load: number } }>()
  let nextId = 0
  let pending: Pending[] = []

  const start = (): { worker: Worker, load: number, ready: Promise<void> } => {
    const worker = new Worker(siblingModule('shapes-worker', import.meta.url))
    const ready = Promise.withResolvers<void>()
    const slot = { worker, load: 0, ready: ready.promise }
    slot.worker.on('message', (response: ShapesResponse) => {
      if (response.ready === true) {
        if (slot.load === 0) worker.unref()
        ready.resolve()
        return
      }
      const job = waiting.get(response.id)
      if (job == null) return
      waiting.delete(response.id)
      job.slot.load -= job.batch.length
      if (job.slot.load === 0) void slot.ready.then(() => { if (slot.load === 0) worker.unref() })
      if (response.error != null) job.batch.forEach(p => { p.reject(new Error(`the shapes worker failed: ${response.error}`)) })
      else job.batch.forEach((p, i) => { p.resolve(response.results[i]) })
    })
    slot.worker.on('error', err => {
      // a worker that died takes its batches with it: they fail, and a new worker takes its place
      for (const [id, job] of waiting) {
        if (job.slot !== slot) continue
        waiting.delete(id)
        job.batch.forEach(p => { p.reject(new Error(`the shapes worker failed: ${err.message}`)) })
      }
      workers.splice(workers.indexOf(slot), 1)
      ready.resolve()
    })
    // a worker keeps the process alive while it starts and while it has work, not when idle
    workers.push(slot)
    return slot
  }

  const flush = (): void => {
    const batch = pending
    pending = []
    while (workers.length < size) start()
    // chunks of a few dozen, dealt to the least loaded worker each: results come back chunk by
    // chunk, so the main thread stores the first while the workers run the next (no convoy)
    for (let i = 0; i < batch.length; i += SHAPES_BATCH) {
      const part = batch.slice(i, i + SHAPES_BATCH)
      const slot = workers.reduce((a, b) => b.load < a.load ? b : a)
      const id = nextId++
      if (slot.load === 0) slot.worker.ref()
      slot.load += part.length
      waiting.set(id, { batch: part, slot })
      slot.worker.postMessage({ id, texts: part.map(p => p.text) } satisfies ShapesRequest)
    }
  }

  const inWorkers = rememberVerdicts(async text => {
    const { promise, resolve, reject } = Promise.withResolvers<ShapeViolation[]>()
    pending.push({ text, resolve, reject })
    if (pending.length === 1) setImmediate(flush)
    return promise
  })

  // started now, so that the shapes are parsed while the node opens its store
  while (workers.length < size) start()

  return {
    size,
    get remembered () { return inWorkers.hits() },
    async ready () {
      await Promise.all(workers.map(async slot => slot.ready))
    },
    validate: inWorkers.validate,
    async close () {
      await Promise.all(workers.splice(0).map(async slot => slot.worker.terminate()))
    }
  }
}

let shared: ShapesPool | undefined

/** The pool of this process, started on first use with `size` workers (the first caller's setting stands). */
export function sharedShapesPool (size?: number): ShapesPool {
  shared ??= createShapesPool(size)
  return shared
}
