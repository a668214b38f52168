/**
 * `npm run bench -- node`: ingest of 20,000 generated self-descriptions through the node API
 * in-process, as entries/s and the ratio to raw Ed25519 verifications/s in the same run (target
 * ≥ 0.5); HTTP ingest into `gxcat start` with 16 and 64 clients, of development credentials
 * (beside raw Ed25519) and of Gaia-X 2511 Loire credentials (beside raw PS256), with the node's
 * CPU per entry; filter and SPARQL latency p50/p99 at 10k and 100k
 * entries (targets: filter p50 < 5 ms, typical SPARQL p50 < 50 ms at 100k); RSS at 100k; a restart
 * at 100k: when filters answer (target < 2 s) and when SPARQL does (target < 5 s), and the
 * resident memory the SPARQL index adds to a restarted node (target ≤ 250 MiB); the disk
 * the store takes at 100k beside the JWS bytes (target ≤ 1.5×).
 * `BENCH_SCALE=0.1` runs a tenth of it for a quick look.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCatalogueNode, type CatalogueNode } from '../node/catalogue-node.ts'
import { generateJws } from '../simulations/generator.ts'
import { directoryBytes } from './directory-bytes.ts'
import { httpIngest2511, httpIngestDevelopment } from './http-ingest.ts'
import { fmt, percentile, rawEd25519VerifyRate, rawPs256VerifyRate } from './raw-verify.ts'
import { sparqlIndexMemory, untilSparqlAnswers } from './sparql-memory.ts'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const n = (count: number): number => Math.max(100, Math.round(count * scale))

async function ingest (publish: (jws: string) => Promise<unknown>, credentials: string[], inFlight: number): Promise<number> {
  const start = performance.now()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < credentials.length) await publish(credentials[next++])
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return credentials.length / ((performance.now() - start) / 1000)
}

async function latency (label: string, runs: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number, p99: number }> {
  for (let i = 0; i < 5; i++) await fn(i)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await fn(i)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  const result = { p50: percentile(times, 50), p99: percentile(times, 99) }
  console.log(`    ${label.padEnd(44)} p50 ${result.p50.toFixed(2)} ms   p99 ${result.p99.toFixed(2)} ms`)
  return result
}

const WORDS = ['energy', 'traffic', 'weather', 'health', 'sensor', 'telemetry', 'climate', 'mobility']
const SPARQL = {
  'count service offerings': 'SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://w3id.org/gaia-x/development#ServiceOffering> }',
  'offerings of one provider (join)': (i: number) => `PREFIX gx: <https://w3id.org/gaia-x/development#>
    SELECT ?service ?name WHERE { ?service a gx:ServiceOffering ; gx:providedBy ?p ; <https://schema.org/name> ?name . ?p gx:legalName ?org } LIMIT 20 OFFSET ${i % 50}`,
  'resources by license, LIMIT 50': 'PREFIX gx: <https://w3id.org/gaia-x/development#> SELECT ?r WHERE { ?r gx:license <https://www.apache.org/licenses/LICENSE-2.0> } LIMIT 50'
}

async function queryLatencies (node: CatalogueNode, size: number): Promise<void> {
  console.log(`  queries at ${fmt(size)} entries`)
  const filter = await latency('filter type=gx:ServiceOffering limit 50', 200, async () => node.list({ type: 'gx:ServiceOffering', limit: 50 }))
  await latency('filter q=<word> limit 50', 200, async i => node.list({ q: WORDS[i % WORDS.length], limit: 50 }))
  await latency('filter type + q + where limit 20', 200, async i => node.list({ type: 'gx:DataResource', q: WORDS[i % WORDS.length], where: [['gx:containsPII', 'true']], limit: 20 }))
  await latency('facets (type, issuer, keyword) top 20', 200, async () => node.facets(20))
  // within a search: counted over the posting lists, one look per posting of the facets' lists
  await latency('facets within q=<word> top 20', 200, async i => node.facets(20, { q: WORDS[i % WORDS.length] }))
  await latency('facets within type=gx:ServiceOffering', 100, async () => node.facets(20, { type: 'gx:ServiceOffering' }))
  const sparql: number[] = []
  for (const [label, query] of Object.entries(SPARQL)) {
    const r = await latency(`SPARQL ${label}`, 40, async i => node.sparql(typeof query === 'function' ? query(i) : query))
    sparql.push(r.p50)
  }
  console.log(`    → filter p50 ${filter.p50.toFixed(2)} ms (target < 5), typical SPARQL p50 ${percentile([...sparql].sort((a, b) => a - b), 50).toFixed(2)} ms (target < 50)`)
}

export async function nodeBenchmark (): Promise<void> {
  const ingestCount = n(20_000)
  const big = n(100_000)
  console.log(`node: generating ${fmt(big)} self-descriptions…`)
  const credentials = await generateJws(big, { seed: 7 })
  const raw = rawEd25519VerifyRate()
  console.log(`  raw node:crypto Ed25519 verify          ${fmt(raw)} /s (1 thread)`)

  const dirA = await mkdtemp(join(tmpdir(), 'gxcat-bench-'))
  const inProcess = createCatalogueNode({ dataDir: dirA })
  await inProcess.start()
  await inProcess.shapes.ready?.() // ingest measured once the shape workers have parsed the shapes
  const rate = await ingest(async jws => inProcess.publish(jws), credentials.slice(0, ingestCount), 256)
  console.log(`  ingest in-process, ${fmt(ingestCount)} entries   ${fmt(rate)} /s   ratio ${(rate / raw).toFixed(2)} (target ≥ 0.5)`)

  await httpIngestDevelopment(credentials.slice(ingestCount, ingestCount + 2 * n(8000)), raw)
  const rawPs256 = rawPs256VerifyRate(Buffer.from(credentials[0]))
  console.log(`  raw node:crypto PS256 verify            ${fmt(rawPs256)} /s (1 thread)`)
  await httpIngest2511(2 * n(3000), rawPs256)

  // grow the in-process node to 10k and 100k entries and measure queries at each size
  const small = n(10_000)
  const dirSmall = await mkdtemp(join(tmpdir(), 'gxcat-bench-'))
  const smallNode = createCatalogueNode({ dataDir: dirSmall })
  await smallNode.start()
  await ingest(async jws => smallNode.publish(jws), credentials.slice(0, small), 256)
  await queryLatencies(smallNode, small)
  await smallNode.stop()
  await rm(dirSmall, { recursive: true, force: true })

  const started = performance.now()
  await ingest(async jws => inProcess.publish(jws), credentials.slice(ingestCount), 256)
  console.log(`  grew to ${fmt(big)} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  await inProcess.sparql('ASK { ?s ?p ?o }')
  await queryLatencies(inProcess, big)
  const rss = process.memoryUsage().rss
  console.log(`  RSS at ${fmt(big)} entries: ${fmt(rss / 2 ** 20)} MiB (process, including the generated credentials and the RDF worker)`)
  await inProcess.stop()
  const jwsBytes = credentials.reduce((sum, jws) => sum + jws.length, 0)
  const diskBytes = await directoryBytes(dirA)
  console.log(`  disk at ${fmt(big)} entries: ${fmt(diskBytes / 2 ** 20, 1)} MiB for ${fmt(jwsBytes / 2 ** 20, 1)} MiB of JWS: ${(diskBytes / jwsBytes).toFixed(2)}× (target ≤ 1.5×)`)

  // a restart: how soon the node serves filters (the API), and SPARQL (its index rebuilt)
  const restartStarted = performance.now()
  const restarted = createCatalogueNode({ dataDir: dirA })
  await restarted.start()
  const page = await restarted.list({ type: 'gx:ServiceOffering', limit: 10 })
  const apiReady = performance.now() - restartStarted
  await untilSparqlAnswers(restarted)
  const sparqlReady = performance.now() - restartStarted
  console.log(`  restart at ${fmt(big)} entries: filters answer after ${fmt(apiReady / 1000, 1)} s (${page.items.length} items; target < 2), SPARQL after ${fmt(sparqlReady / 1000, 1)} s (target < 5)`)
  await restarted.stop()
  const memory = await sparqlIndexMemory(dirA)
  console.log(`  SPARQL index at ${fmt(big)} entries: a node restarted with it holds ${fmt(memory.withIndex)} MiB, without it ${fmt(memory.without)} MiB: ${fmt(memory.withIndex - memory.without)} MiB; with two engines (--sparql-workers 2) ${fmt(memory.twoEngines)} MiB: the second costs ${fmt(memory.twoEngines - memory.withIndex)} MiB`)
  await rm(dirA, { recursive: true, force: true })
}
