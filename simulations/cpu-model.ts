/**
 * The CPU of simulated nodes in virtual time. What a node receives (a chunk of bytes on a
 * connection, after its link) is handed on only once the node's core has processed it, at a
 * cost for the chunk and one in proportion to its size (`ReceiveCost`, measured once with
 * `calibrate-costs.ts`): decrypting, decoding, validating, storing and forwarding a message.
 * A busy core makes what arrives next wait, as a busy event loop does.
 *
 * How a core divides itself among what waits (`CoreScheduling`):
 * - `fair`, the default: among connections, as an event loop does. Each connection's chunks are
 *   processed in order, and every connection with work waiting gets an equal share of the core
 *   at each instant (processor sharing across connections): an event loop reading many sockets
 *   interleaves the async steps of every message in flight rather than finishing one message
 *   before it starts the next.
 * - `fifo`: one chunk after another in the order they arrived, whatever their connection.
 *
 * Where the nodes run decides the cores: each node on a core of its own (participants on
 * machines of their own, the default), or all nodes sharing K cores (`cpu.cores` in the
 * scenario: K processes of the multi-process mode on a K-core machine), node i on core i mod K.
 */
import { createTimedQueue } from './timed-queue.ts'

/**
 * What a node's core spends on what it receives: a cost for each chunk (one write of the
 * sender: decrypting a frame, demultiplexing, decoding a message, the callbacks it wakes) and
 * a cost per KiB (hashing, copying, parsing what the bytes hold).
 */
export interface ReceiveCost {
  perChunkMs: number
  perKiBMs: number
}

export const CORE_SCHEDULINGS = ['fair', 'fifo'] as const
export type CoreScheduling = typeof CORE_SCHEDULINGS[number]

export interface Core {
  /**
   * hands `run` on once the core has processed `bytes` received on `connection` (at once for an
   * empty chunk with nothing waiting before it)
   */
  submit (bytes: number, run: () => void, connection?: object): void
  /** what the core has processed so far: chunks, their bytes, and the ms it spent on them */
  stats (): { chunks: number, bytes: number, busyMs: number }
}

interface Stats { chunks: number, bytes: number, busyMs: number }

function charge (stats: Stats, cost: ReceiveCost, bytes: number): number {
  if (bytes === 0) return 0
  const spend = cost.perChunkMs + cost.perKiBMs * bytes / 1024
  stats.chunks++
  stats.bytes += bytes
  stats.busyMs += spend
  return spend
}

function createFifoCore (cost: ReceiveCost): Core {
  const handOn = createTimedQueue()
  let busyUntil = 0
  const stats: Stats = { chunks: 0, bytes: 0, busyMs: 0 }
  return {
    submit (bytes, run) {
      const spend = charge(stats, cost, bytes)
      busyUntil = Math.max(performance.now(), busyUntil) + spend
      handOn.push(busyUntil, run)
    },
    stats: () => ({ ...stats })
  }
}

/** float rounding of the shares: what is left of a chunk's cost below this counts as done */
const ROUNDING_MS = 1e-9

/**
 * Processor sharing across connections, computed exactly: the clock fires its timers at whole
 * milliseconds, so the model keeps its own instant and, whenever it is asked, completes in order
 * every chunk whose share of the core has covered its cost by then.
 */
function createFairCore (cost: ReceiveCost): Core {
  // connections with chunks waiting, each its chunks in order; the first is being processed
  const waiting = new Map<object, Array<{ leftMs: number, run: () => void }>>()
  const stats: Stats = { chunks: 0, bytes: 0, busyMs: 0 }
  let modelAt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const leastLeft = (): number => {
    let least = Infinity
    for (const chunks of waiting.values()) least = Math.min(least, chunks[0].leftMs)
    return least
  }
  // brings the model to `until`, handing on (into `done`) what completes by then, in order
  const advanceTo = (until: number, done: Array<() => void>): void => {
    while (waiting.size > 0) {
      const least = leastLeft()
      const completesAt = modelAt + least * waiting.size
      if (completesAt > until + ROUNDING_MS) break
      for (const chunks of waiting.values()) chunks[0].leftMs -= least
      modelAt = completesAt
      for (const [connection, chunks] of waiting) {
        while (chunks.length > 0 && chunks[0].leftMs <= ROUNDING_MS) done.push((chunks.shift() as { run: () => void }).run)
        if (chunks.length === 0) waiting.delete(connection)
      }
    }
    if (waiting.size > 0) {
      const share = (until - modelAt) / waiting.size
      for (const chunks of waiting.values()) chunks[0].leftMs -= share
    }
    modelAt = Math.max(modelAt, until)
  }
  const schedule = (): void => {
    if (timer != null) clearTimeout(timer)
    timer = undefined
    const least = leastLeft()
    if (least < Infinity) timer = setTimeout(release, Math.max(0, least * waiting.size))
  }
  const release = (): void => {
    timer = undefined
    const done: Array<() => void> = []
    advanceTo(performance.now(), done)
    schedule()
    for (const run of done) run()
  }
  const anyConnection = {}
  return {
    submit (bytes, run, connection = anyConnection) {
      const spend = charge(stats, cost, bytes)
      const done: Array<() => void> = []
      advanceTo(performance.now(), done)
      const chunks = waiting.get(connection)
      if (spend <= 0 && chunks == null) done.push(run)
      else if (chunks == null) waiting.set(connection, [{ leftMs: spend, run }])
      else chunks.push({ leftMs: spend, run })
      schedule()
      for (const handOn of done) handOn()
    },
    stats: () => ({ ...stats })
  }
}

export function createCore (cost: ReceiveCost, scheduling: CoreScheduling = 'fair'): Core {
  return scheduling === 'fair' ? createFairCore(cost) : createFifoCore(cost)
}

/**
 * The cores of a simulation: `cores` 0 gives each node a core of its own, K > 0 puts node i on
 * core i mod K.
 */
export function createCores (cores: number, cost: ReceiveCost, scheduling: CoreScheduling = 'fair'): (node: number) => Core {
  const shared = Array.from({ length: cores }, () => createCore(cost, scheduling))
  const own = new Map<number, Core>()
  return node => {
    if (cores > 0) return shared[node % cores]
    let core = own.get(node)
    if (core == null) {
      core = createCore(cost, scheduling)
      own.set(node, core)
    }
    return core
  }
}
