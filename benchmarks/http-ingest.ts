/**
 * HTTP ingest into a `gxcat start` process, as participants and apps feed a node: 16 and then
 * 64 concurrent clients (in the benchmark's process) POST credentials the node has not seen;
 * entries/s, the ratio to raw single-core verifications of the same algorithm measured in the
 * same run and to what one thread needs at the least per credential (signature and official
 * shapes), and the node process's CPU per entry (all its threads, from /proc) with its main
 * thread's share, which bounds the rate however many cores verify; the rate and CPU of the
 * run's second half beside them, once the node's hot code is compiled, with each kind of
 * thread's share of it (main, workers, V8's helpers, libuv's pool).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLoireCorpus } from './loire-corpus.ts'
import { cpuByThread, cpuPerEntry, gxcatRun, postCredential, startGxcat, threadShares, untilReady } from './processes.ts'
import { fmt, perEntryTally, signatureAndShapesRate } from './raw-verify.ts'

const CLIENTS = [16, 64]

/**
 * For each client count: a fresh node (`startArgs`), `warm` posted first (DID and chain caches),
 * then its share of `credentials`; prints one line each.
 */
async function ingestRuns (label: string, credentials: string[], raw: { rate: number, name: string }, startArgs: string[], warm?: string, floor?: number): Promise<void> {
  const share = Math.floor(credentials.length / CLIENTS.length)
  for (const [k, clients] of CLIENTS.entries()) {
    const dir = await mkdtemp(join(tmpdir(), 'gxcat-bench-http-'))
    await gxcatRun(['init', '--data', dir])
    const gxcat = await startGxcat(dir, startArgs)
    try {
      // the shape workers parse the shapes while the API already answers: measured once it is ready
      await untilReady(gxcat.url)
      if (warm != null) await postCredential(gxcat.url, warm)
      const batch = credentials.slice(k * share, (k + 1) * share)
      const pid = gxcat.child.pid as number
      const before = cpuByThread(pid)
      let middle = before
      const start = performance.now()
      let next = 0
      let done = 0
      let halfway = 0
      const half = Math.floor(batch.length / 2)
      await Promise.all(Array.from({ length: clients }, async () => {
        while (next < batch.length) {
          await postCredential(gxcat.url, batch[next++])
          if (++done === half) {
            halfway = performance.now()
            middle = cpuByThread(pid)
          }
        }
      }))
      const end = performance.now()
      const after = cpuByThread(pid)
      const whole = cpuPerEntry(before, after, batch.length)
      const rate = batch.length / ((end - start) / 1000)
      // a fresh process spends its first seconds compiling hot code (V8's optimizing compiler,
      // on its own threads): the second half shows the rate and CPU of a node that has been running
      const secondHalf = (batch.length - half) / ((end - halfway) / 1000)
      const running = cpuPerEntry(middle, after, batch.length - half)
      const toFloor = floor == null ? '' : ` (${(rate / floor).toFixed(2)} to signature + shapes)`
      console.log(`  HTTP ingest ${label}, ${String(clients).padStart(2)} clients, ${fmt(batch.length)}   ${fmt(rate)} /s   ratio ${(rate / raw.rate).toFixed(2)} to raw ${raw.name} (target ≥ 0.5)${toFloor}   node CPU ${whole.all.toFixed(2)} ms/entry (main thread ${whole.main.toFixed(2)}: at most ${fmt(1000 / whole.main)} /s on any number of cores)   second half ${fmt(secondHalf)} /s (${(secondHalf / raw.rate).toFixed(2)})`)
      if (floor != null) {
        console.log(perEntryTally(whole.all, whole.main, 1000 / floor))
        console.log(perEntryTally(running.all, running.main, 1000 / floor, 'second half, per entry'))
      }
      console.log(`    second half, by thread, ms per entry: ${threadShares(middle, after, batch.length - half)}`)
    } finally {
      await gxcat.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * What one thread needs at the least per credential (its signature at `rawRate`, and the shapes
 * over the first 2,000 of `credentials`), printed as `label`; per second.
 */
async function floorRate (label: string, rawRate: number, credentials: string[]): Promise<number> {
  const floor = await signatureAndShapesRate(rawRate, credentials.slice(0, 2000))
  console.log(`${`  ${label}`.padEnd(41)} ${fmt(floor.rate)} /s (1 thread; shapes ${floor.shapesMs.toFixed(3)} ms per credential in batches of 1,000)`)
  return floor.rate
}

/** Development-vocabulary credentials (Ed25519, did:key) over HTTP. */
export async function httpIngestDevelopment (credentials: string[], rawEd25519: number): Promise<void> {
  const floor = await floorRate('Ed25519 + development shapes', rawEd25519, credentials)
  await ingestRuns('development', credentials, { rate: rawEd25519, name: 'Ed25519' }, [], undefined, floor)
}

/**
 * Gaia-X 2511 Loire credentials (PS256, did:web key with an x5u chain of 3, official shapes)
 * over HTTP into a node under trust policy `anchors`.
 */
export async function httpIngest2511 (count: number, rawPs256: number): Promise<void> {
  const { web, root, credentials } = await createLoireCorpus(count + 1)
  const dir = await mkdtemp(join(tmpdir(), 'gxcat-bench-anchor-'))
  try {
    const anchor = join(dir, 'anchor.pem')
    await writeFile(anchor, root.pem)
    const [warm, ...rest] = credentials
    // the shapes cost a 2511 credential several times its signature: beside the raw ratio, the
    // ratio to what one thread needs at the least (signature and shapes) shows what is overhead
    const floor = await floorRate('PS256 + 2511 shapes', rawPs256, rest)
    await ingestRuns('Gaia-X 2511', rest, { rate: rawPs256, name: 'PS256' }, ['--trust', 'anchors', '--trust-anchor', anchor, '--did-web-origin', web.override], warm, floor)
  } finally {
    await web.close()
    await rm(dir, { recursive: true, force: true })
  }
}
