/**
 * Measures what virtual time charges a node's core for what it receives (cpu-model.ts): real
 * nodes in one process on the machine's clock, over TCP on loopback with noise, as a
 * participant's node runs them. The main thread's CPU time (process.threadCpuUsage, which
 * leaves out the signature and shape checks on libuv's pool and the workers, which a node on a
 * machine of its own runs beside its event loop) and the whole process's (which nodes sharing
 * a machine's cores share with everything else) are read over three windows: one with the
 * network idle (heartbeats, sync sessions), and two while entries are published at different
 * rates, beside the chunks (writes of the sender) and the bytes the nodes received in each.
 * CPU time is fitted as a cost per chunk, a cost per KiB and a rate while idle: three windows,
 * three unknowns. One rate alone cannot tell chunks from bytes, and a cost per KiB alone read
 * 0.52 ms at 4 publishes a second and 0.62 ms at 2: gossip control messages (IHAVE, IDONTWANT)
 * are many small chunks whose count follows the heartbeat, not the bytes.
 *
 *   npm run sim:calibrate [-- --nodes 50 --publishes 60]
 */
import { parseArgs } from 'node:util'
import { Harness } from './harness.ts'
import { createCores } from './cpu-model.ts'
import { generateJws, seededRandom } from './generator.ts'
import { sleep } from './timeline.ts'
import type { ReceiveCost } from './cpu-model.ts'
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'

interface Window { ms: number, cpuMs: number, processCpuMs: number, chunks: number, kib: number }

export interface Calibration {
  /** a node on a core of its own: its event loop */
  mainThread: ReceiveCost & { idleMsPerS: number }
  /** nodes sharing cores: every thread of their process */
  allThreads: ReceiveCost & { idleMsPerS: number }
  windows: { idle: Window, fast: Window, slow: Window }
}

/** Solves a 3 × 3 linear system by Gaussian elimination with partial pivoting. */
function solve3 (rows: number[][], rhs: number[]): number[] {
  const m = rows.map((row, i) => [...row, rhs[i]])
  for (let col = 0; col < 3; col++) {
    const pivot = m.slice(col).reduce((best, row, i) => Math.abs(row[col]) > Math.abs(m[best][col]) ? col + i : best, col)
    ;[m[col], m[pivot]] = [m[pivot], m[col]]
    for (let r = col + 1; r < 3; r++) {
      const f = m[r][col] / m[col][col]
      for (let c = col; c < 4; c++) m[r][c] -= f * m[col][c]
    }
  }
  const x = [0, 0, 0]
  for (let r = 2; r >= 0; r--) {
    let sum = m[r][3]
    for (let c = r + 1; c < 3; c++) sum -= m[r][c] * x[c]
    x[r] = sum / m[r][r]
  }
  return x
}

/** Least squares for two unknowns over any number of equations (the normal equations). */
function leastSquares2 (rows: number[][], rhs: number[]): number[] {
  const dot = (f: (i: number) => number): number => rows.reduce((sum, _, i) => sum + f(i), 0)
  const a = dot(i => rows[i][0] ** 2)
  const b = dot(i => rows[i][0] * rows[i][1])
  const d = dot(i => rows[i][1] ** 2)
  const e = dot(i => rows[i][0] * rhs[i])
  const f = dot(i => rows[i][1] * rhs[i])
  const det = a * d - b * b
  return [(e * d - b * f) / det, (a * f - b * e) / det]
}

/**
 * Chunk, KiB and idle costs from the three windows' CPU (`cpuOf`). Where gossip's bytes follow
 * its chunks too closely to tell them apart, the KiB's cost comes out at or below zero: it is
 * then 0 and the chunks carry it (a least-squares fit of chunk and idle costs alone).
 */
function fit (windows: Window[], cpuOf: (w: Window) => number): ReceiveCost & { idleMsPerS: number } {
  const [perChunkMs, perKiBMs, idleMsPerMs] = solve3(windows.map(w => [w.chunks, w.kib, w.ms]), windows.map(cpuOf))
  if (perKiBMs > 0) return { perChunkMs, perKiBMs, idleMsPerS: idleMsPerMs * 1000 }
  const [chunkOnly, idleOnly] = leastSquares2(windows.map(w => [w.chunks, w.ms]), windows.map(cpuOf))
  return { perChunkMs: chunkOnly, perKiBMs: 0, idleMsPerS: idleOnly * 1000 }
}

export async function calibrateReceiveCost (options: { nodes: number, publishes: number, fastIntervalMs: number, slowIntervalMs: number, idleMs: number, log?: (line: string) => void }): Promise<Calibration> {
  const log = options.log ?? (() => {})
  const cores = createCores(0, { perChunkMs: 0, perKiBMs: 0 })
  const random = seededRandom(7)
  const harness = new Harness({ random, linkSeed: 7, latencyMs: 20, jitterMs: 5, bandwidthKbps: 0, loss: 0, run: `calibrate-${process.pid}`, transport: 'tcp', coreOf: cores })
  const credentials = await generateJws(2 * options.publishes, { seed: 7 })
  try {
    log(`starting ${options.nodes} nodes…`)
    await harness.addNodes(options.nodes)
    const meshed = (): boolean => harness.nodes.every(s => (s.network.libp2p.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(CATALOGUE_TOPIC).length >= 4)
    for (let waited = 0; !meshed() && waited < 60_000; waited += 250) await sleep(250)
    // let start-up work (dials, identify, first sync sessions) pass before measuring
    await sleep(options.idleMs)
    const read = (): Window => {
      const totals = harness.nodes.reduce((sum, s) => { const st = cores(s.index).stats(); return { chunks: sum.chunks + st.chunks, bytes: sum.bytes + st.bytes } }, { chunks: 0, bytes: 0 })
      const cpu = process.threadCpuUsage()
      const all = process.cpuUsage()
      return { ms: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000, processCpuMs: (all.user + all.system) / 1000, chunks: totals.chunks, kib: totals.bytes / 1024 }
    }
    const diff = (a: Window, b: Window): Window => ({ ms: b.ms - a.ms, cpuMs: b.cpuMs - a.cpuMs, processCpuMs: b.processCpuMs - a.processCpuMs, chunks: b.chunks - a.chunks, kib: b.kib - a.kib })
    log('idle window…')
    const idleStart = read()
    await sleep(options.idleMs)
    const idle = diff(idleStart, read())
    const publishAt = async (jws: string[], intervalMs: number): Promise<Window> => {
      log(`publishing ${jws.length} entries, one each ${intervalMs} ms…`)
      const start = read()
      for (const entry of jws) {
        await harness.nodes[Math.floor(random() * harness.nodes.length)].node.publish(entry)
        await sleep(intervalMs)
      }
      await sleep(2_000)
      return diff(start, read())
    }
    const fast = await publishAt(credentials.slice(0, options.publishes), options.fastIntervalMs)
    const slow = await publishAt(credentials.slice(options.publishes), options.slowIntervalMs)
    const windows = [idle, fast, slow]
    return { mainThread: fit(windows, w => w.cpuMs), allThreads: fit(windows, w => w.processCpuMs), windows: { idle, fast, slow } }
  } finally {
    await harness.stopAll()
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '50' }, publishes: { type: 'string', default: '60' } } })
  const result = await calibrateReceiveCost({ nodes: Number(values.nodes), publishes: Number(values.publishes), fastIntervalMs: 250, slowIntervalMs: 750, idleMs: 10_000, log: line => { console.error(line) } })
  const fmt = (w: Window): string => `${(w.ms / 1000).toFixed(1)} s: ${(w.cpuMs / 1000).toFixed(2)} s of main-thread CPU (${(w.processCpuMs / 1000).toFixed(2)} s all threads), ${w.chunks} chunks, ${(w.kib / 1024).toFixed(1)} MiB received`
  const cost = (c: Calibration['mainThread']): string => `${c.perChunkMs.toFixed(4)} ms per chunk + ${c.perKiBMs.toFixed(3)} ms per KiB (idle: ${c.idleMsPerS.toFixed(1)} ms per s for ${values.nodes} nodes)`
  console.log(`idle window:          ${fmt(result.windows.idle)}`)
  console.log(`publishing, 250 ms:   ${fmt(result.windows.fast)}`)
  console.log(`publishing, 750 ms:   ${fmt(result.windows.slow)}`)
  console.log(`main thread (a node on a core of its own): ${cost(result.mainThread)}`)
  console.log(`all threads (nodes sharing cores):         ${cost(result.allThreads)}`)
  process.exit(0)
}
