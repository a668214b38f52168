/**
 * Measures what virtual time charges a node's core for what it receives (cpu-model.ts): real
 * nodes in one process on the machine's clock, over TCP on loopback with noise, as a
 * participant's node runs them. The main thread's CPU time (process.threadCpuUsage, which
 * leaves out the signature and shape checks on libuv's pool and the workers, which a node on a
 * machine of its own runs beside its event loop) and the whole process's (which nodes sharing
 * a machine's cores share with everything else) are read over two windows, one with the
 * network idle (heartbeats, sync sessions) and one while entries are published, beside the
 * bytes the nodes received in each. What the publishing window spent beyond the idle rate, per
 * KiB received, is the cost virtual time charges (VIRTUAL_COSTS).
 *
 *   npm run sim:calibrate [-- --nodes 50 --publishes 80]
 */
import { parseArgs } from 'node:util'
import { Harness } from './harness.ts'
import { createCores } from './cpu-model.ts'
import { generateJws, seededRandom } from './generator.ts'
import { sleep } from './timeline.ts'
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'

interface Window { ms: number, cpuMs: number, processCpuMs: number, chunks: number, kib: number }

export async function calibrateReceiveCost (options: { nodes: number, publishes: number, intervalMs: number, idleMs: number, log?: (line: string) => void }): Promise<{ mainThreadPerKiBMs: number, allThreadsPerKiBMs: number, idle: Window, busy: Window }> {
  const log = options.log ?? (() => {})
  const cores = createCores(0, { perKiBMs: 0 })
  const random = seededRandom(7)
  const harness = new Harness({ random, linkSeed: 7, latencyMs: 20, jitterMs: 5, bandwidthKbps: 0, loss: 0, run: `calibrate-${process.pid}`, transport: 'tcp', coreOf: cores })
  const credentials = await generateJws(options.publishes, { seed: 7 })
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
    log(`publishing ${options.publishes} entries…`)
    const busyStart = read()
    for (const jws of credentials) {
      await harness.nodes[Math.floor(random() * harness.nodes.length)].node.publish(jws)
      await sleep(options.intervalMs)
    }
    await sleep(2_000)
    const busy = diff(busyStart, read())
    return {
      mainThreadPerKiBMs: (busy.cpuMs - idle.cpuMs / idle.ms * busy.ms) / busy.kib,
      allThreadsPerKiBMs: (busy.processCpuMs - idle.processCpuMs / idle.ms * busy.ms) / busy.kib,
      idle,
      busy
    }
  } finally {
    await harness.stopAll()
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '50' }, publishes: { type: 'string', default: '80' } } })
  const result = await calibrateReceiveCost({ nodes: Number(values.nodes), publishes: Number(values.publishes), intervalMs: 250, idleMs: 10_000, log: line => { console.error(line) } })
  const fmt = (w: Window): string => `${(w.ms / 1000).toFixed(1)} s: ${(w.cpuMs / 1000).toFixed(2)} s of main-thread CPU (${(w.processCpuMs / 1000).toFixed(2)} s all threads), ${w.chunks} chunks, ${(w.kib / 1024).toFixed(1)} MiB received`
  console.log(`idle window:    ${fmt(result.idle)}`)
  console.log(`publish window: ${fmt(result.busy)}`)
  console.log(`receive cost:   ${result.mainThreadPerKiBMs.toFixed(3)} ms per KiB received on the main thread (a node on a core of its own), ${result.allThreadsPerKiBMs.toFixed(3)} ms on all threads (nodes sharing cores)`)
  process.exit(0)
}
