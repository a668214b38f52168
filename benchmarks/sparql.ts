/**
 * `npm run bench -- sparql`: SPARQL at 100,000 entries on the embedded index (Oxigraph in worker
 * threads) and on an external store (Virtuoso Open Source, Debian's virtuoso-opensource-7-bin,
 * started here with its own virtuoso.ini), both behind `gxcat start`: the same queries (p50,
 * p99), the memory of each, how long the store takes to catch up with 100,000 entries (and again
 * after a restart of the node), and 50 clients for 30 s of mixed queries while one of them sends
 * cartesian-product bombs: the p99 of the others.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCatalogueNode } from '../node/catalogue-node.ts'
import { generateJws } from '../simulations/generator.ts'
import { sparqlFrom, sparqlSettled } from '../test/fixtures/sparql-from.ts'
import { waitFor } from '../test/fixtures/wait.ts'
import { createVirtuoso, virtuosoMissing, type VirtuosoServer } from '../test/fixtures/virtuoso.ts'
import { gxcatRun, rssMiB, startGxcat, type GxcatProcess } from './processes.ts'
import { fmt, percentile } from './raw-verify.ts'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const ENTRIES = Math.max(1000, Math.round(100_000 * scale))
const LOAD_CLIENTS = 50
const LOAD_MS = 30_000

const QUERIES: Record<string, (i: number) => string> = {
  'count service offerings': () => 'SELECT (COUNT(?s) AS ?n) WHERE { ?s a gxdev:ServiceOffering }',
  'offerings of one provider (join)': i => `SELECT ?service ?name WHERE { ?service a gxdev:ServiceOffering ; gxdev:providedBy ?p ; schema:name ?name . ?p gxdev:legalName ?org } LIMIT 20 OFFSET ${i % 50}`,
  'resources by license, LIMIT 50': () => 'SELECT ?r WHERE { ?r gxdev:license <https://www.apache.org/licenses/LICENSE-2.0> } LIMIT 50',
  'facets by type': () => 'SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)'
}
const BOMB = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }'

/** until the node answers SPARQL from a store in step with its replica (or from its own index, loaded) */
async function untilInStep (url: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => sparqlSettled(url), timeoutMs, `SPARQL of ${url} in step`)
}

async function queryLatencies (url: string): Promise<void> {
  for (const [label, query] of Object.entries(QUERIES)) {
    for (let i = 0; i < 3; i++) await sparqlFrom('127.0.0.1', url, query(i))
    const times: number[] = []
    for (let i = 0; i < 40; i++) {
      const r = await sparqlFrom('127.0.0.1', url, query(i))
      if (r.status !== 200) throw new Error(`${label}: HTTP ${r.status} ${r.error ?? ''}`)
      times.push(r.ms)
    }
    times.sort((a, b) => a - b)
    console.log(`    ${label.padEnd(36)} p50 ${percentile(times, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(times, 99).toFixed(2).padStart(8)} ms`)
  }
}

/** 50 clients, each its own loopback address, for 30 s; the first sends bombs */
async function mixedLoad (url: string): Promise<void> {
  const end = Date.now() + LOAD_MS
  const times: number[] = []
  const statuses = new Map<string, number>()
  const bombs = new Map<string, number>()
  const count = (map: Map<string, number>, key: string): void => { map.set(key, (map.get(key) ?? 0) + 1) }
  const names = Object.values(QUERIES)
  await Promise.all(Array.from({ length: LOAD_CLIENTS }, async (_, c) => {
    const address = `127.0.0.${c + 2}`
    for (let i = 0; Date.now() < end; i++) {
      if (c === 0) {
        const r = await sparqlFrom(address, url, BOMB)
        count(bombs, r.error ?? String(r.status))
        if (r.status === 429) await new Promise(resolve => setTimeout(resolve, 1000))
        continue
      }
      const r = await sparqlFrom(address, url, names[(c + i) % names.length](i))
      count(statuses, r.error ?? String(r.status))
      times.push(r.ms)
    }
  }))
  times.sort((a, b) => a - b)
  const show = (map: Map<string, number>): string => [...map].map(([k, v]) => `${k}×${fmt(v)}`).join(' ')
  console.log(`    ${LOAD_CLIENTS - 1} clients' queries: ${fmt(times.length)} in ${LOAD_MS / 1000} s, p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${show(statuses)}); the bombs: ${show(bombs)}`)
}

export async function sparqlBenchmark (): Promise<void> {
  const missing = virtuosoMissing()
  if (missing != null) {
    console.log(`sparql: skipped: ${missing}`)
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'gxcat-bench-sparql-'))
  let virtuoso: VirtuosoServer | undefined
  let running: GxcatProcess | undefined
  try {
    console.log(`sparql: generating ${fmt(ENTRIES)} self-descriptions…`)
    await gxcatRun(['init', '--data', dir])
    const credentials = await generateJws(ENTRIES, { seed: 7 })
    const loader = createCatalogueNode({ dataDir: dir, sparql: false })
    await loader.start()
    let next = 0
    await Promise.all(Array.from({ length: 256 }, async () => { while (next < credentials.length) await loader.publish(credentials[next++]) }))
    await loader.stop()
    credentials.length = 0

    virtuoso = await createVirtuoso({ buffers: 200_000 })
    const storeArgs = ['--sparql-store', virtuoso.authEndpoint, '--sparql-store-user', virtuoso.user, '--sparql-store-password', virtuoso.password]
    let started = performance.now()
    running = await startGxcat(dir, storeArgs)
    const answering = performance.now()
    await untilInStep(running.url, 3_600_000)
    const caughtUp = (performance.now() - answering) / 1000
    console.log(`  external store (Virtuoso ${fmt(200_000 * 8 / 1024)} MiB of buffers), ${fmt(ENTRIES)} entries`)
    console.log(`    catch-up of an empty store: ${caughtUp.toFixed(1)} s from the API answering (${fmt(ENTRIES / caughtUp)} entries/s); ${((answering - started) / 1000).toFixed(1)} s to answer`)
    await queryLatencies(running.url)
    const store = rssMiB(virtuoso.pid as number)
    console.log(`    memory: node ${fmt(rssMiB(running.child.pid as number))} MiB after the catch-up, Virtuoso ${fmt(store)} MiB`)
    await mixedLoad(running.url)
    await running.stop()
    started = performance.now()
    running = await startGxcat(dir, storeArgs)
    while ((await sparqlFrom('127.0.0.1', running.url, 'ASK {}')).status !== 200) await new Promise(resolve => setTimeout(resolve, 50))
    const answers = (performance.now() - started) / 1000
    await untilInStep(running.url, 600_000)
    const nodeWithStore = rssMiB(running.child.pid as number)
    console.log(`    node restarted on a store in step: SPARQL answers ${answers.toFixed(1)} s after the start; the store's graph names read and compared with the replica after ${((performance.now() - started) / 1000).toFixed(1)} s; node ${fmt(nodeWithStore)} MiB then`)
    await running.stop()
    await virtuoso.destroy()
    virtuoso = undefined

    console.log(`  embedded index (Oxigraph, --sparql-workers 2), ${fmt(ENTRIES)} entries`)
    started = performance.now()
    running = await startGxcat(dir, ['--sparql-workers', '2'])
    await untilInStep(running.url, 600_000)
    console.log(`    SPARQL answers ${((performance.now() - started) / 1000).toFixed(1)} s after the start (the index loaded from the replica)`)
    await queryLatencies(running.url)
    const nodeEmbedded = rssMiB(running.child.pid as number)
    await mixedLoad(running.url)
    await running.stop()
    running = await startGxcat(dir, ['--sparql-index', 'off'])
    await new Promise(resolve => setTimeout(resolve, 2000))
    const nodeWithout = rssMiB(running.child.pid as number)
    await running.stop()
    running = undefined
    console.log(`    memory: node ${fmt(nodeEmbedded)} MiB with two engines, ${fmt(nodeWithout)} MiB without SPARQL: the index costs ${fmt(nodeEmbedded - nodeWithout)} MiB; a node restarted on the store holds ${fmt(nodeWithStore - nodeWithout)} MiB more than without SPARQL, and Virtuoso ${fmt(store)} MiB`)
  } finally {
    await running?.stop()
    await virtuoso?.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}
