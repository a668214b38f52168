/**
 * Virtual time for one-process simulations: every timer, `Date`, `performance.now`, `hrtime`
 * and `AbortSignal.timeout` of the process reads a discrete-event clock (@sinonjs/fake-timers,
 * as libp2p's own tests use), which jumps to the next timer once nothing is runnable. The
 * randomness of the nodes (`Math.random`, `crypto.getRandomValues`: gossipsub's choices, noise's
 * ephemeral keys, random walks) is drawn from the seed, and node keys from the seed too
 * (harness.ts), so that a seed gives one run.
 *
 * Work that leaves the event loop cannot be scheduled by the clock: worker threads (the shape
 * checks run in the node's thread instead), real sockets (the memory transport only) and
 * WebCrypto on libuv's pool (signatures are checked with node:crypto's synchronous calls).
 * The clock and the seeded randomness are the whole process's: a reproducible run is the only
 * thing its process runs (`npm run sim` is).
 */
import nodeCrypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import FakeTimers from '@sinonjs/fake-timers'
import { seededRandom } from './generator.ts'
import type { ReceiveCost } from './cpu-model.ts'

export interface VirtualClock {
  /** the clock's time, ms since the epoch */
  now (): number
  /** drives the clock until `work` settles; resolves or rejects with it */
  run <T>(work: () => Promise<T>): Promise<T>
  uninstall (): void
}

/** Where virtual time starts: a fixed instant, so that credentials' validity reads the same every run. */
export const VIRTUAL_EPOCH = Date.parse('2026-06-01T00:00:00Z')

/**
 * What a node's work costs in virtual time, measured once on this project's 2-core machine
 * and fixed here, so that a slower machine gives the same result:
 * - a credential's signature and official shapes: `npm run bench -- node`, "the floor", 0.13 to
 *   0.14 ms;
 * - what a node does with what it receives (decrypting, decoding, gossip bookkeeping, storing,
 *   forwarding), per chunk and per KiB (`npm run sim:calibrate`, cpu-model.ts): on its event
 *   loop, for a node on a core of its own; on all its threads, checks included, for nodes that
 *   share cores.
 */
export const VIRTUAL_COSTS = {
  credentialCheckMs: 0.13,
  receive: {
    ownCore: { perChunkMs: 0.098, perKiBMs: 0.134 },
    sharedCores: { perChunkMs: 0.11, perKiBMs: 0.199 }
  }
}

/** What a node's core spends on what it receives: on a core of its own (`cores` 0), or on cores nodes share. */
export function receiveCost (cores: number, costs: typeof VIRTUAL_COSTS = VIRTUAL_COSTS): ReceiveCost {
  return cores === 0 ? costs.receive.ownCore : costs.receive.sharedCores
}

/** Whether a request that left the event loop (file system, DNS, a crypto job) is still out. */
function pendingRealWork (): boolean {
  return process.getActiveResourcesInfo().some(type => /Req|Job|Wrap$/.test(type) && !/^(TTYWrap|PipeWrap|TCPServerWrap|TCPSocketWrap|TCPWrap|ProcessWrap|SignalWrap|UDPWrap|WriteWrap)$/.test(type))
}

export function installVirtualTime (init: { seed: number, start?: number, costs?: typeof VIRTUAL_COSTS }): VirtualClock {
  const costs = init.costs ?? VIRTUAL_COSTS
  const realSetImmediate = globalThis.setImmediate
  const realTimeout = AbortSignal.timeout.bind(AbortSignal)
  const realRandom = Math.random
  const realGetRandomValues = globalThis.crypto.getRandomValues.bind(globalThis.crypto)
  const clock = FakeTimers.install({
    now: init.start ?? VIRTUAL_EPOCH,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance', 'hrtime'],
    loopLimit: Number.MAX_SAFE_INTEGER
  })
  AbortSignal.timeout = (ms: number): AbortSignal => {
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, ms)
    ;(timer as { unref?: () => void }).unref?.()
    return controller.signal
  }
  const random = seededRandom(init.seed ^ 0x51A7E)
  Math.random = random
  const fill = <T extends ArrayBufferView>(buffer: T): T => {
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
    return buffer
  }
  globalThis.crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => array == null ? array : fill(array)) as typeof globalThis.crypto.getRandomValues
  // node:crypto's own randomness too, for the modules that import it by name
  const realCrypto = { randomBytes: nodeCrypto.randomBytes, randomFillSync: nodeCrypto.randomFillSync, randomUUID: nodeCrypto.randomUUID, verify: nodeCrypto.verify }
  // a signature checked on libuv's pool (verify with a callback) answers when the machine is
  // done, not at a virtual instant: checked in this thread instead, answered once the check's
  // cost has passed on the clock
  const syncVerify = ((algorithm: any, data: any, key: any, signature: any, callback?: (err: Error | null, valid: boolean) => void) => {
    if (callback == null) return realCrypto.verify(algorithm, data, key, signature)
    let valid = false
    let error: Error | null = null
    try { valid = realCrypto.verify(algorithm, data, key, signature) } catch (err: any) { error = err }
    setTimeout(() => { callback(error, valid) }, costs.credentialCheckMs)
  }) as typeof nodeCrypto.verify
  Object.assign(nodeCrypto, {
    verify: syncVerify,
    randomBytes: (size: number) => fill(Buffer.alloc(size)),
    randomFillSync: (buffer: NodeJS.ArrayBufferView, offset = 0, size?: number) => { fill(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, size ?? buffer.byteLength - offset)); return buffer },
    randomUUID: () => { const b = fill(Buffer.alloc(16)); b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80; const h = b.toString('hex'); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` }
  })
  syncBuiltinESMExports()
  return {
    now: () => clock.now,
    async run (work) {
      let settled = false
      const outcome = work().finally(() => { settled = true })
      outcome.catch(() => {})
      while (!settled) {
        // what is runnable runs first: the microtasks, then anything real that is pending (a
        // file read, a job on libuv's pool), which the clock waits for rather than jumping past
        await new Promise(resolve => realSetImmediate(resolve))
        if (settled) break
        if (clock.countTimers() === 0 || pendingRealWork()) continue
        // one timer, then the microtasks it started (drained before the next setImmediate);
        // not nextAsync, which waits a real setTimeout (1 ms at least) after every timer
        clock.next()
      }
      return outcome
    },
    uninstall () {
      clock.uninstall()
      AbortSignal.timeout = realTimeout
      Math.random = realRandom
      globalThis.crypto.getRandomValues = realGetRandomValues as typeof globalThis.crypto.getRandomValues
      Object.assign(nodeCrypto, realCrypto)
      syncBuiltinESMExports()
    }
  }
}
