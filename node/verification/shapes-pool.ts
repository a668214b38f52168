/**
 * Signatures and the official shapes on every core: a pool of worker threads, shared by the
 * nodes of a process (a simulation of hundreds of nodes gets one pool, not hundreds). A
 * credential goes to a worker once, with its signature and key (checked there with synchronous
 * node:crypto); the worker reads the credential from the JWS and validates it if the signature
 * holds. From PREPARE_IN_WORKERS_FROM workers on, a credential goes to one first to be decoded
 * and checked (prepare.ts), so that the main thread only routes it. Credentials submitted in
 * one tick are gathered and split among the workers, the least loaded first, so that a lone
 * credential (gossip, one HTTP client) goes out at once and a bulk import keeps every worker
 * busy; the main thread keeps parsing, ordering and storing. Without a worker (one core, or a
 * setting of 0) the signatures go to libuv's thread pool and the shapes run in this thread.
 */
import { availableParallelism } from 'node:os'
import type { KeyObject } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { mentionsGaiax, validateGaiaxShapes, type ShapesValidator, type ShapeViolation } from '../../protocols/self-description/index.ts'
import { MAX_SHAPES_WORKERS, PREPARE_IN_WORKERS_FROM, SHAPES_BATCH, SHAPES_VERDICT_CACHE } from '../constants.ts'
import { siblingModule } from '../worker-module.ts'
import { errorOfRefusal, type PreparedCredential, type RefusalData } from './prepare.ts'

/**
 * One credential for a worker: its JSON text to validate (strings cross to a worker as flat
 * copies, where objects are cloned field by field) and/or a signature to check first.
 */
export interface ShapesItem {
  text?: string
  /** with `shapes`, the credential the JWS carries is validated too, once its signature verifies */
  signed?: { jws: string, alg: string, key: KeyObject, shapes?: boolean }
  /** a credential to prepare (prepare.ts) at the instant `now` */
  prepare?: { jws: string, now: number }
}
export interface ShapesRequest { id: number, items: ShapesItem[] }
/** signature: whether it verified, or why it could not be checked; violations: where the text was validated */
export interface ShapesResult { signature?: boolean | string, violations?: ShapeViolation[], error?: string, prepared?: PreparedCredential, refused?: RefusalData }
export type ShapesResponse =
  | { id: number, results: ShapesResult[], error?: undefined, ready?: undefined }
  | { id: number, error: string, results?: undefined, ready?: undefined }
  | { ready: true, id?: undefined }

export interface ShapesPool extends ShapesValidator {
  readonly size: number
  /** verdicts answered from memory (credentials validated before) */
  readonly remembered: number
  /**
   * Starts the workers, which parse the shapes (about a second each release), unless they run
   * already. A node calls it once its RDF index is rebuilt, so that the two do not share the
   * cores at a restart; the first credential submitted starts them too.
   */
  warm (): void
  /**
   * A credential decoded, checked and its index terms worked out by a worker (prepare.ts), so
   * that the main thread only routes; a refusal throws its typed error. Absent where the caller
   * prepares it in its own thread: no worker runs, or too few (ShapesPoolOptions.prepare).
   */
  prepare?: (jws: string, now: number) => Promise<PreparedCredential>
  /** whether the workers have been started (by warm or a first credential) */
  readonly started: boolean
  /** resolves once the workers have started and parsed the shapes (credentials sent earlier wait for that) */
  ready (): Promise<void>
  close (): Promise<void>
}

interface Pending {
  item: ShapesItem
  resolve: (result: ShapesResult) => void
  reject: (err: Error) => void
}

/** The default size: every core but the one the main thread needs, within MAX_SHAPES_WORKERS. */
function defaultShapesWorkers (): number {
  return Math.min(MAX_SHAPES_WORKERS, availableParallelism() - 1)
}

/**
 * The verdicts of a pool: credentials that name no Gaia-X vocabulary conform at once; each other
 * credential's verdict is remembered by its JSON text (a signed version's by its CID) for those
 * validated after it (a simulation's nodes in one process validate each credential once between them), and only
 * the others are run. Credentials being validated share one run; at most SHAPES_VERDICT_CACHE
 * verdicts are kept, the oldest dropped first; a failure (a worker that died) is not a verdict.
 */
function createVerdicts (): { hits: () => number, known: (text: string) => Promise<ShapeViolation[]> | undefined, recall: (key: string) => Promise<ShapeViolation[]> | undefined, remember: (key: string, verdict: Promise<ShapeViolation[]>) => void } {
  const verdicts = new Map<string, Promise<ShapeViolation[]>>()
  let hits = 0
  const recall = (key: string): Promise<ShapeViolation[]> | undefined => {
    const verdict = verdicts.get(key)
    if (verdict != null) hits++
    return verdict
  }
  return {
    hits: () => hits,
    known: text => mentionsGaiax(text) ? recall(text) : Promise.resolve([]),
    recall,
    remember: (key, verdict) => {
      verdicts.set(key, verdict)
      if (verdicts.size > SHAPES_VERDICT_CACHE) verdicts.delete(verdicts.keys().next().value as string)
      verdict.catch(() => { if (verdicts.get(key) === verdict) verdicts.delete(key) })
    }
  }
}

/** The pool's validate: a verdict known, or `run` (remembered). */
function rememberVerdicts (verdicts: ReturnType<typeof createVerdicts>, run: (text: string, credential: Record<string, unknown>) => Promise<ShapeViolation[]>): ShapesValidator['validate'] {
  return async (credential, text = JSON.stringify(credential)) => {
    const known = verdicts.known(text)
    if (known != null) return known
    const fresh = run(text, credential)
    verdicts.remember(text, fresh)
    return fresh
  }
}

export interface ShapesPoolOptions {
  /** whether its workers prepare credentials for the main thread (`prepare`). @default from PREPARE_IN_WORKERS_FROM workers */
  prepare?: boolean
}

export function createShapesPool (size = defaultShapesWorkers(), options: ShapesPoolOptions = {}): ShapesPool {
  if (size <= 0) {
    const verdicts = createVerdicts()
    const validate = rememberVerdicts(verdicts, async (_text, credential) => validateGaiaxShapes(credential))
    return { size: 0, get remembered () { return verdicts.hits() }, validate, warm () {}, started: true, async ready () {}, async close () {} }
  }
  const workers: Array<{ worker: Worker, load: number, ready: Promise<void> }> = []
  const waiting = new Map<number, { batch: Pending[], slot: { load: number } }>()
  let nextId = 0
  let pending: Pending[] = []
  const warmed = Promise.withResolvers<void>()
  const warm = (): void => {
    while (workers.length < size) start()
    warmed.resolve()
  }

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
    warm()
    // chunks of a few dozen, dealt to the least loaded worker each: results come back chunk by
    // chunk, so the main thread stores the first while the workers run the next (no convoy)
    for (let i = 0; i < batch.length; i += SHAPES_BATCH) {
      const part = batch.slice(i, i + SHAPES_BATCH)
      const slot = workers.reduce((a, b) => b.load < a.load ? b : a)
      const id = nextId++
      if (slot.load === 0) slot.worker.ref()
      slot.load += part.length
      waiting.set(id, { batch: part, slot })
      slot.worker.postMessage({ id, items: part.map(p => p.item) } satisfies ShapesRequest)
    }
  }

  const send = async (item: ShapesItem): Promise<ShapesResult> => {
    const { promise, resolve, reject } = Promise.withResolvers<ShapesResult>()
    pending.push({ item, resolve, reject })
    if (pending.length === 1) setImmediate(flush)
    return promise
  }
  const violationsOf = (result: ShapesResult): ShapeViolation[] => {
    if (result.error != null) throw new Error(`the shapes worker failed: ${result.error}`)
    return result.violations ?? []
  }
  const verdicts = createVerdicts()
  const validate = rememberVerdicts(verdicts, async text => violationsOf(await send({ text })))
  const prepare = async (jws: string, now: number): Promise<PreparedCredential> => {
    const result = await send({ prepare: { jws, now } })
    if (result.refused != null) throw errorOfRefusal(result.refused)
    if (result.prepared == null) throw new Error(`the shapes worker failed: ${result.error ?? 'it prepared nothing'}`)
    return result.prepared
  }

  return {
    size,
    get remembered () { return verdicts.hits() },
    warm,
    get started () { return workers.length > 0 },
    async ready () {
      await warmed.promise
      await Promise.all(workers.map(async slot => slot.ready))
    },
    validate,
    ...((options.prepare ?? size >= PREPARE_IN_WORKERS_FROM) ? { prepare } : {}),
    async verify ({ jws, alg, key, cid }) {
      // a version's verdict, by its CID: the same JWS carries the same credential
      const known = verdicts.recall(cid)
      if (known != null) {
        const result = await send({ signed: { jws, alg, key } })
        return { signature: signatureOf(result), violations: await known }
      }
      const result = await send({ signed: { jws, alg, key, shapes: true } })
      const signature = signatureOf(result)
      const violations = signature ? violationsOf(result) : []
      // a verdict is remembered only where the shapes ran: not past a signature that failed
      if (signature) verdicts.remember(cid, Promise.resolve(violations))
      return { signature, violations }
    },
    async close () {
      await Promise.all(workers.splice(0).map(async slot => slot.worker.terminate()))
    }
  }
}

/** A worker's answer on a signature: whether it verified; one it could not check throws, as node:crypto's verify does. */
function signatureOf (result: ShapesResult): boolean {
  if (typeof result.signature === 'string') throw new Error(result.signature)
  return result.signature === true
}

let shared: ShapesPool | undefined
let inThread: ShapesPool | undefined

/**
 * The pool of this process, started on first use with `size` workers (the first caller's setting
 * stands); a node that asks for none (`size` 0: a simulation in virtual time, whose clock cannot
 * wait for another thread) checks in its own thread, whatever pool others started.
 */
export function sharedShapesPool (size?: number): ShapesPool {
  if (size === 0) {
    inThread ??= createShapesPool(0)
    return inThread
  }
  shared ??= createShapesPool(size)
  return shared
}
