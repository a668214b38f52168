/**
 * One sync session over a stream: reconciliation rounds, then the transfer of what each side
 * lacks. The initiator drives reconciliation and pulls what it lacks; then it offers what the
 * responder lacks, and the responder pulls what it takes (a version another of its sessions
 * fetches already, or one past its limit, is not moved twice). Everything received is handed to
 * `ingest`, which verifies it like any gossip message before it is stored. Every frame and
 * the whole session are bounded in size, count and time; a breach ends the session with a
 * named error.
 */
import { lpStream } from '@libp2p/utils'
import {
  SYNC_FRAME_TIMEOUT_MS, SYNC_MAX_FRAME_BYTES, SYNC_MAX_ROUNDS, SYNC_OFFER_BATCH, SYNC_PIPELINE, SYNC_SESSION_TIMEOUT_MS, SYNC_TRANSFER_BATCH
} from '../constants.ts'
import { versionDigest } from '../self-description/identity.ts'
import { SyncLimitError, SyncProtocolError, SyncStreamError, SyncTimeoutError } from './errors.ts'
import { decodeFrame, encodeFrame, type SyncFrame } from './messages.ts'
import { advance, initialRanges, respond, type Difference } from './reconcile.ts'
import { idKey, type SyncSet } from './sync-set.ts'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export type IngestOutcome = 'stored' | 'known' | 'invalid'

export interface SyncSource {
  set: SyncSet
  /** the JWS of versions this side holds, by id (undefined where it has none) */
  getJws (ids: Uint8Array[]): Promise<Array<string | undefined>>
  /** verifies and stores a version received from the peer */
  ingest (jws: string): Promise<IngestOutcome>
  /** ids this side lacks but does not want (refused before): not asked for */
  skip? (id: Uint8Array): boolean
  /**
   * of the ids this side lacks, those this session fetches: the ones no other session of this
   * side fetches now (they are fetched once, not once per peer); held until `release`
   */
  claim? (ids: Uint8Array[]): Uint8Array[]
  release? (ids: Uint8Array[]): void
  /**
   * of `count` versions the peer offers that this side lacks, how many it takes now (its rate
   * limit for what a peer hands it in the sessions that peer starts); where it takes fewer, the
   * peer is told to stop offering, and this side pulls the rest in a session of its own
   */
  takeOffered? (count: number): number
}

export interface SyncStats {
  rounds: number
  bytesSent: number
  bytesReceived: number
  /** versions received and stored */
  fetched: number
  /** versions sent to the peer (its wants) */
  pushed: number
  /** versions received that failed verification */
  invalid: number
  /** versions offered but not taken now (the taker's limit): the taker pulls them later */
  deferred: number
  /** ids the peer lacked / we lacked */
  have: number
  need: number
  durationMs: number
}

export interface SyncOptions extends AbortOptions {
  onProgress?: (stats: SyncStats) => void
  /** @default SYNC_SESSION_TIMEOUT_MS */
  timeoutMs?: number
  /**
   * Simulations: how long a frame of this many bytes takes to cross the link (latency, and size
   * over bandwidth). A frame is handed on that long after it is read, and never before the one
   * read before it: frames read together arrive together, as on a real link.
   */
  frameDelayMs?: (bytes: number) => number
}

function newStats (): SyncStats {
  return { rounds: 0, bytesSent: 0, bytesReceived: 0, fetched: 0, pushed: 0, invalid: 0, deferred: 0, have: 0, need: 0, durationMs: 0 }
}

class FrameChannel {
  private readonly lp
  private readonly signal: AbortSignal
  private readonly frameDelayMs?: (bytes: number) => number
  /** simulated link: frames read ahead as they come, each stamped with when it came */
  private readonly inbox: Array<Promise<{ data: Uint8ArrayList, at: number }>> = []
  private lastArrival = 0
  readonly stats: SyncStats

  constructor (stream: Stream, signal: AbortSignal, stats: SyncStats, frameDelayMs?: (bytes: number) => number) {
    this.lp = lpStream(stream, { maxDataLength: SYNC_MAX_FRAME_BYTES, maxBufferSize: SYNC_MAX_FRAME_BYTES + 1024 })
    this.signal = signal
    this.stats = stats
    this.frameDelayMs = frameDelayMs
    if (frameDelayMs != null) void this.readAhead()
  }

  async send (frame: SyncFrame): Promise<void> {
    const bytes = encodeFrame(frame)
    if (bytes.length > SYNC_MAX_FRAME_BYTES) throw new SyncLimitError(`a frame of ${bytes.length} bytes is over the limit`)
    this.stats.bytesSent += bytes.length
    await this.lp.write(bytes, { signal: this.signal })
  }

  async receive (): Promise<SyncFrame> {
    const data = this.frameDelayMs == null ? await this.read(this.frameSignal()) : await this.arrive()
    this.stats.bytesReceived += data.byteLength
    return decodeFrame(data.subarray())
  }

  private frameSignal (): AbortSignal {
    return AbortSignal.any([this.signal, AbortSignal.timeout(SYNC_FRAME_TIMEOUT_MS)])
  }

  private timedOut (): SyncTimeoutError {
    return new SyncTimeoutError(this.signal.aborted ? 'the sync session took too long' : `no sync frame within ${SYNC_FRAME_TIMEOUT_MS} ms`)
  }

  private async read (signal: AbortSignal): Promise<Uint8ArrayList> {
    try {
      return await this.lp.read({ signal })
    } catch (err: any) {
      if (signal.aborted) throw this.timedOut()
      if (/too long|length|overflow/i.test(err.message)) throw new SyncLimitError(`a sync frame over ${SYNC_MAX_FRAME_BYTES} bytes: ${err.message}`)
      throw new SyncStreamError(`the sync stream failed: ${err.message}`)
    }
  }

  /**
   * Simulations: reads every frame as soon as it is there, so that frames sent together arrive
   * together, each its link delay after it came and never before the one before it.
   */
  private async readAhead (): Promise<void> {
    for (;;) {
      const slot = Promise.withResolvers<{ data: Uint8ArrayList, at: number }>()
      slot.promise.catch(() => {}) // a read that fails after the session ended is nobody's concern
      this.inbox.push(slot.promise)
      try {
        slot.resolve({ data: await this.read(this.signal), at: performance.now() })
      } catch (err: any) {
        slot.reject(err)
        return
      }
    }
  }

  private async arrive (): Promise<Uint8ArrayList> {
    const next = this.inbox.shift() as Promise<{ data: Uint8ArrayList, at: number }>
    const signal = this.frameSignal()
    const { data, at } = await new Promise<{ data: Uint8ArrayList, at: number }>((resolve, reject) => {
      const timeout = (): void => { reject(this.timedOut()) }
      signal.addEventListener('abort', timeout, { once: true })
      next.then(resolve, reject).finally(() => { signal.removeEventListener('abort', timeout) })
    })
    const arrival = Math.max(at + (this.frameDelayMs?.(data.byteLength) ?? 0), this.lastArrival)
    this.lastArrival = arrival
    const wait = arrival - performance.now()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    return data
  }
}

function sessionSignal (options: SyncOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? SYNC_SESSION_TIMEOUT_MS)
  return options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
}

async function ingestAll (source: SyncSource, items: string[], stats: SyncStats): Promise<number> {
  let stored = 0
  const outcomes = await Promise.all(items.map(async jws => source.ingest(jws)))
  for (const outcome of outcomes) {
    if (outcome === 'stored') stored++
    else if (outcome === 'invalid') stats.invalid++
  }
  return stored
}

/**
 * Fetches `ids` from the peer: SYNC_PIPELINE batches asked for ahead, the verification of one
 * batch overlapping the transfer of the next; anything not asked for is a protocol breach.
 * Resolves with the number stored.
 */
async function pull (channel: FrameChannel, source: SyncSource, ids: Uint8Array[], stats: SyncStats, options: SyncOptions): Promise<number> {
  const asked: Uint8Array[][] = []
  const ingesting: Array<Promise<void>> = []
  let stored = 0
  let nextWant = 0
  const askNext = async (): Promise<void> => {
    const wanted = ids.slice(nextWant, nextWant + SYNC_TRANSFER_BATCH)
    nextWant += wanted.length
    asked.push(wanted)
    await channel.send({ t: 'want', ids: wanted })
  }
  while (asked.length < SYNC_PIPELINE && nextWant < ids.length) await askNext()
  while (asked.length > 0) {
    const wanted = asked.shift() as Uint8Array[]
    const answer = await channel.receive()
    if (answer.t !== 'items') throw new SyncProtocolError(`expected items, got ${answer.t}`)
    const expected = new Set(wanted.map(idKey))
    for (const jws of answer.items) {
      if (!expected.has(idKey(versionDigest(jws)))) throw new SyncProtocolError('the peer sent a version that was not asked for')
    }
    if (nextWant < ids.length) await askNext()
    const ingested = ingestAll(source, answer.items, stats).then(count => {
      stored += count
      stats.fetched += count
      options.onProgress?.(stats)
    })
    ingested.catch(() => {}) // awaited below; a failure meanwhile must not go unhandled
    ingesting.push(ingested)
    // at most two batches verified at once: enough to keep every core busy, bounded in memory
    if (ingesting.length >= 2) await ingesting.shift()
  }
  await Promise.all(ingesting)
  return stored
}

/** Answers the peer's wants for versions of `offered` until it acks the offer; resolves with whether it is full. */
async function serveOffer (channel: FrameChannel, source: SyncSource, offered: Uint8Array[], stats: SyncStats, options: SyncOptions): Promise<boolean> {
  const unserved = new Set(offered.map(idKey))
  for (;;) {
    const frame = await channel.receive()
    if (frame.t === 'ack') return frame.full === true
    if (frame.t !== 'want') throw new SyncProtocolError(`expected want or ack, got ${frame.t}`)
    for (const id of frame.ids) {
      if (!unserved.delete(idKey(id))) throw new SyncProtocolError('the peer asked for a version that was not offered, or asked twice')
    }
    const items = (await source.getJws(frame.ids)).filter((j): j is string => j != null)
    stats.pushed += items.length
    await channel.send({ t: 'items', items })
    options.onProgress?.(stats)
  }
}

/** Runs a session as the initiator; resolves with what it moved. */
export async function initiateSync (stream: Stream, source: SyncSource, options: SyncOptions = {}): Promise<SyncStats> {
  const started = performance.now()
  const stats = newStats()
  const channel = new FrameChannel(stream, sessionSignal(options), stats, options.frameDelayMs)
  const diff: Difference = { need: [], have: [] }

  let ranges = initialRanges(source.set)
  while (ranges.length > 0) {
    if (++stats.rounds > SYNC_MAX_ROUNDS) throw new SyncLimitError(`reconciliation did not settle in ${SYNC_MAX_ROUNDS} rounds`)
    await channel.send({ t: 'rec', ranges })
    const answer = await channel.receive()
    if (answer.t !== 'rec') throw new SyncProtocolError(`expected a rec frame, got ${answer.t}`)
    ranges = advance(source.set, answer.ranges, diff)
    options.onProgress?.(stats)
  }
  if (source.skip != null) diff.need = diff.need.filter(id => source.skip?.(id) !== true)
  if (source.claim != null) diff.need = source.claim(diff.need)
  stats.need = diff.need.length
  stats.have = diff.have.length
  try {
    await pull(channel, source, diff.need, stats, options)
  } finally {
    source.release?.(diff.need)
  }
  // offer what the peer lacks: it pulls what it takes (not what another session brings it)
  for (let i = 0; i < diff.have.length; i += SYNC_OFFER_BATCH) {
    const offered = diff.have.slice(i, i + SYNC_OFFER_BATCH)
    await channel.send({ t: 'offer', ids: offered })
    const pushedBefore = stats.pushed
    if (await serveOffer(channel, source, offered, stats, options)) {
      // the peer takes no more now: it pulls the rest when it starts a session
      stats.deferred = diff.have.length - i - (stats.pushed - pushedBefore)
      break
    }
  }
  await channel.send({ t: 'end' })
  await stream.close().catch(() => {})
  stats.durationMs = performance.now() - started
  return stats
}

/**
 * The responder's side of an offer: of the versions offered, those it lacks and no other
 * session fetches, within what it takes now; pulled, then acked (full where it took fewer than
 * it lacked). Resolves with whether it is full.
 */
async function takeOffer (channel: FrameChannel, source: SyncSource, offered: Uint8Array[], stats: SyncStats, options: SyncOptions): Promise<boolean> {
  let lacking = offered.filter(id => !source.set.has(id) && source.skip?.(id) !== true)
  if (source.claim != null) lacking = source.claim(lacking)
  const taken = source.takeOffered == null || lacking.length === 0 ? lacking.length : Math.min(lacking.length, source.takeOffered(lacking.length))
  const ids = lacking.slice(0, taken)
  source.release?.(lacking.slice(taken))
  stats.need += ids.length
  stats.deferred += lacking.length - taken
  let stored = 0
  try {
    stored = await pull(channel, source, ids, stats, options)
  } finally {
    source.release?.(ids)
  }
  const full = taken < lacking.length
  await channel.send(full ? { t: 'ack', stored, full } : { t: 'ack', stored })
  return full
}

/** Answers a session as the responder until the initiator ends it. */
export async function respondSync (stream: Stream, source: SyncSource, options: SyncOptions = {}): Promise<SyncStats> {
  const started = performance.now()
  const stats = newStats()
  const channel = new FrameChannel(stream, sessionSignal(options), stats, options.frameDelayMs)
  let full = false
  for (let frames = 0; ; frames++) {
    if (frames > SYNC_MAX_ROUNDS * 2 + 2 * Math.ceil((source.set.size + 100_000) / SYNC_TRANSFER_BATCH)) throw new SyncLimitError('too many sync frames in one session')
    const frame = await channel.receive()
    if (frame.t === 'end') break
    if (frame.t === 'rec') {
      if (++stats.rounds > SYNC_MAX_ROUNDS) throw new SyncLimitError(`reconciliation did not settle in ${SYNC_MAX_ROUNDS} rounds`)
      await channel.send({ t: 'rec', ranges: respond(source.set, frame.ranges) })
    } else if (frame.t === 'want') {
      // answered in the order asked: the set's, oldest first
      const items = (await source.getJws(frame.ids)).filter((j): j is string => j != null)
      stats.pushed += items.length
      await channel.send({ t: 'items', items })
    } else if (frame.t === 'offer') {
      if (full) throw new SyncLimitError('the peer went on offering after it was told this node takes no more now')
      full = await takeOffer(channel, source, frame.ids, stats, options)
    } else {
      throw new SyncProtocolError(`unexpected ${frame.t} frame`)
    }
    options.onProgress?.(stats)
  }
  await stream.close().catch(() => {})
  stats.durationMs = performance.now() - started
  return stats
}
