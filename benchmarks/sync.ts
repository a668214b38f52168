/**
 * `npm run bench -- sync`: (1) a late joiner catching up 100,000 entries from one peer over
 * the memory transport, both real nodes (verification, level store, RDF): time, bytes, bytes
 * per byte of JWS data (targets < 10 s and ≤ 1.1×) and the CPU each entry cost; (2)
 * reconciliation alone, on the real protocol over an in-memory stream pair: bytes and round
 * trips for differences of d = 1, 10, 100, 1,000 out of 100,000. `BENCH_SCALE=0.1` runs a
 * tenth of (1).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { streamPair } from '@libp2p/utils'
import { createCatalogueNode } from '../node/catalogue-node.ts'
import { createCatalogueNetwork } from '../node/network/catalogue-network.ts'
import { createSyncSet, initiateSync, respondSync, type SyncSource } from '../protocols/sync/index.ts'
import { generateJws } from '../simulations/generator.ts'
import { cpuSeconds } from './processes.ts'
import { fmt, perEntryTally, rawEd25519VerifyRate, signatureAndShapesRate } from './raw-verify.ts'

const scale = Number(process.env.BENCH_SCALE ?? 1)

async function lateJoiner (): Promise<void> {
  const count = Math.max(1000, Math.round(100_000 * scale))
  console.log(`  generating and publishing ${fmt(count)} entries on node A…`)
  const credentials = await generateJws(count, { seed: 99 })
  const dataBytes = credentials.reduce((n, c) => n + Buffer.byteLength(c), 0)
  const dirs = [await mkdtemp(join(tmpdir(), 'gxcat-sync-a-')), await mkdtemp(join(tmpdir(), 'gxcat-sync-b-'))]
  const a = createCatalogueNode({ dataDir: dirs[0] })
  await a.start()
  for (let i = 0; i < credentials.length; i += 512) await Promise.all(credentials.slice(i, i + 512).map(async c => a.publish(c)))
  const aNet = await createCatalogueNetwork(a, { privateKey: await generateKeyPair('Ed25519'), listen: ['/memory/bench-sync-a'], dhtPublish: false, gossip: false, sync: { onConnect: false } })
  await aNet.start()

  const b = createCatalogueNode({ dataDir: dirs[1] })
  await b.start()
  const bNet = await createCatalogueNetwork(b, { privateKey: await generateKeyPair('Ed25519'), listen: ['/memory/bench-sync-b'], dhtPublish: false, gossip: false, sync: { onConnect: false } })
  await bNet.start()
  const started = performance.now()
  const cpuBefore = [cpuSeconds(process.pid), cpuSeconds(process.pid, true)]
  const stats = await bNet.syncWith(aNet.addrs()[0])
  const seconds = (performance.now() - started) / 1000
  const [cpu, mainCpu] = [cpuSeconds(process.pid), cpuSeconds(process.pid, true)].map((s, i) => (s - cpuBefore[i]) * 1000 / Math.max(1, stats.fetched))
  const bytes = stats.bytesSent + stats.bytesReceived
  console.log(`  (A holds ${fmt(a.counts().entries)}, B holds ${fmt(b.counts().entries)}; need ${stats.need}, invalid ${stats.invalid})`)
  console.log(`  late joiner caught up ${fmt(stats.fetched)} of ${fmt(count)} entries in ${seconds.toFixed(1)} s (target < 10 s for 100,000), ${fmt(stats.fetched / seconds)} entries/s`)
  // both nodes share this process: its CPU per entry bounds the rate on this machine's cores, its
  // main thread's (both nodes' event loops) bounds it however many cores verify
  console.log(`    CPU ${cpu.toFixed(2)} ms per entry over all threads of both nodes: at most ${fmt(availableParallelism() * 1000 / cpu)}/s on this machine's ${availableParallelism()} cores; main thread ${mainCpu.toFixed(2)} ms: at most ${fmt(1000 / mainCpu)}/s on any number`)
  // both nodes' CPU: an upper bound of the joiner's own (the serving node's share is in it)
  const floor = await signatureAndShapesRate(rawEd25519VerifyRate(), credentials.slice(0, 2000))
  console.log(perEntryTally(cpu, mainCpu, 1000 / floor.rate))
  const busyWall = stats.fetched * cpu / availableParallelism() / 1000
  console.log(`    wall ${seconds.toFixed(1)} s against ${busyWall.toFixed(1)} s of work spread on ${availableParallelism()} cores: ${(seconds / busyWall).toFixed(2)} × (target ≤ 1.1: no idle time)`)
  console.log(`    ${stats.rounds} round trips, ${fmt(bytes / 2 ** 20, 1)} MiB on the wire for ${fmt(dataBytes / 2 ** 20, 1)} MiB of JWS: ${(bytes / dataBytes).toFixed(3)}× (target ≤ 1.1×)`)
  await Promise.all([aNet.stop(), bNet.stop()])
  await Promise.all([a.stop(), b.stop()])
  await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
}

function fakeSource (ids: Uint8Array[], ts: number[]): SyncSource {
  return {
    set: createSyncSet(ids.map((id, i) => ({ ts: ts[i], id }))),
    async getJws (wanted) { return wanted.map(() => undefined) }, // reconciliation only: no transfer
    async ingest () { return 'known' }
  }
}

async function reconciliation (): Promise<void> {
  const size = 100_000
  const ids = Array.from({ length: size }, () => new Uint8Array(randomBytes(32)))
  const ts = ids.map((_, i) => 1_750_000_000_000 + i * 1000)
  console.log(`  reconciliation of ${fmt(size)} items (ids and fingerprints only, no transfer)`)
  for (const d of [1, 10, 100, 1000]) {
    // the responder holds d items that the initiator lacks, spread over the whole range
    const missing = new Set(Array.from({ length: d }, (_, i) => Math.floor((i + 0.5) * size / d)))
    const initiator = fakeSource(ids.filter((_, i) => !missing.has(i)), ts.filter((_, i) => !missing.has(i)))
    const responder = fakeSource(ids, ts)
    const [outbound, inbound] = await streamPair()
    const started = performance.now()
    const [stats] = await Promise.all([initiateSync(outbound, initiator), respondSync(inbound, responder)])
    const ms = performance.now() - started
    const bytes = stats.bytesSent + stats.bytesReceived
    console.log(`    d = ${String(d).padStart(4)}: ${String(stats.rounds).padStart(2)} round trips, ${fmt(bytes).padStart(9)} bytes (${(bytes / d).toFixed(0)} per difference), found ${stats.need}, ${ms.toFixed(0)} ms`)
  }
}

export async function syncBenchmark (): Promise<void> {
  console.log('sync:')
  await reconciliation()
  await lateJoiner()
}
