/**
 * The CPU of simulated nodes in virtual time. What a node receives (a chunk of bytes on a
 * connection, after its link) is handed on only once the node's core has processed it: each
 * core takes the chunks in the order they arrived and spends a cost on each, in proportion to
 * its size (`ReceiveCost`, measured once with `calibrate-costs.ts`): decrypting, decoding,
 * hashing, validating, storing and forwarding a message all grow with its bytes. A busy core
 * makes what arrives next wait, as a busy event loop does.
 *
 * Where the nodes run decides the cores: each node on a core of its own (participants on
 * machines of their own, the default), or all nodes sharing K cores (`cpu.cores` in the
 * scenario: K processes of the multi-process mode on a K-core machine), node i on core i mod K.
 */
import { createTimedQueue } from './timed-queue.ts'

/** What a node's core spends on what it receives, ms per KiB. */
export interface ReceiveCost {
  perKiBMs: number
}

export interface Core {
  /** hands `run` on once the core has processed `bytes` (at once for an empty chunk on an idle core) */
  submit (bytes: number, run: () => void): void
  /** what the core has processed so far: chunks, their bytes, and the ms it spent on them */
  stats (): { chunks: number, bytes: number, busyMs: number }
}

export function createCore (cost: ReceiveCost): Core {
  const handOn = createTimedQueue()
  let busyUntil = 0
  const stats = { chunks: 0, bytes: 0, busyMs: 0 }
  return {
    submit (bytes, run) {
      const spend = cost.perKiBMs * bytes / 1024
      if (bytes > 0) stats.chunks++
      stats.bytes += bytes
      stats.busyMs += spend
      busyUntil = Math.max(performance.now(), busyUntil) + spend
      handOn.push(busyUntil, run)
    },
    stats: () => ({ ...stats })
  }
}

/**
 * The cores of a simulation: `cores` 0 gives each node a core of its own, K > 0 puts node i on
 * core i mod K.
 */
export function createCores (cores: number, cost: ReceiveCost): (node: number) => Core {
  const shared = Array.from({ length: cores }, () => createCore(cost))
  const own = new Map<number, Core>()
  return node => {
    if (cores > 0) return shared[node % cores]
    let core = own.get(node)
    if (core == null) {
      core = createCore(cost)
      own.set(node, core)
    }
    return core
  }
}
