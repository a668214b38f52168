/**
 * `npm run bench -- load`: a `gxcat start` process holding 10,000 entries, then 200 and 500
 * concurrent HTTP clients for 30 s each, publishing (1 request in 4) and querying (filters,
 * full text, SPARQL, by CID): throughput, p50/p99 per route, answers by status, RSS of the node
 * before and after, and every acknowledged publish read back afterwards (target: 0 lost).
 * Target: p99 < 1 s for every route at 200 clients. A 429/503 with Retry-After is the node
 * shedding load on purpose; it counts as answered, and the client waits as told.
 * LOAD_SECONDS and LOAD_CLIENTS (e.g. `200,500`) change the run; BENCH_SCALE scales the store.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateJws } from '../simulations/generator.ts'
import { gxcatRun, rssMiB, startGxcat } from './processes.ts'
import { fmt, percentile } from './raw-verify.ts'
const scale = Number(process.env.BENCH_SCALE ?? 1)
const seconds = Number(process.env.LOAD_SECONDS ?? 30)
const clientCounts = (process.env.LOAD_CLIENTS ?? '200,500').split(',').map(Number)
const PRELOAD = Math.max(500, Math.round(10_000 * scale))
const POOL = Math.max(2000, Math.round(40_000 * scale))

const WORDS = ['energy', 'traffic', 'weather', 'health', 'sensor', 'telemetry', 'climate', 'mobility']
const SPARQL = [
  'SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://w3id.org/gaia-x/development#ServiceOffering> }',
  'PREFIX gx: <https://w3id.org/gaia-x/development#> SELECT ?service ?name WHERE { ?service a gx:ServiceOffering ; gx:providedBy ?p ; <https://schema.org/name> ?name . ?p gx:legalName ?org } LIMIT 20',
  'PREFIX gx: <https://w3id.org/gaia-x/development#> SELECT ?r WHERE { ?r gx:license <https://www.apache.org/licenses/LICENSE-2.0> } LIMIT 50'
]

type Route = 'publish' | 'filter' | 'full text' | 'sparql' | 'by cid'

interface RouteStats { times: number[], statuses: Map<number | string, number> }

/** The node's event-loop lag since the last scrape (prom-client resets it on each): max and p99 in ms. */
async function eventLoopLag (url: string): Promise<{ max: number, p99: number }> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const value = (name: string): number => 1000 * Number(text.match(new RegExp(`^${name} ([0-9.e+-]+)`, 'm'))?.[1] ?? NaN)
  return { max: value('gxcat_nodejs_eventloop_lag_max_seconds'), p99: value('gxcat_nodejs_eventloop_lag_p99_seconds') }
}

export async function loadBenchmark (): Promise<void> {
  console.log(`load: generating ${fmt(PRELOAD + POOL)} self-descriptions…`)
  const credentials = await generateJws(PRELOAD + POOL, { seed: 61 })
  const dir = await mkdtemp(join(tmpdir(), 'gxcat-load-'))
  await gxcatRun(['init', '--data', dir])
  const gxcat = await startGxcat(dir)
  const { url, child: node } = gxcat
  try {
    const cids: string[] = []
    let next = 0
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < PRELOAD) {
        const r = await fetch(`${url}/v1/self-descriptions`, { method: 'POST', headers: { 'content-type': 'application/vc+jwt' }, body: credentials[next++] })
        if (r.status === 201) cids.push((await r.json()).cid)
        else await r.arrayBuffer()
      }
    }))
    console.log(`  ${fmt(cids.length)} entries loaded; node RSS ${fmt(rssMiB(node.pid as number))} MiB`)

    for (const clients of clientCounts) {
      const before = rssMiB(node.pid as number)
      await eventLoopLag(url)
      const routes = new Map<Route, RouteStats>()
      const acknowledged: string[] = []
      const deadline = Date.now() + seconds * 1000
      let completed = 0
      const timed = async (route: Route, request: () => Promise<Response>): Promise<Response | undefined> => {
        const stats: RouteStats = routes.get(route) ?? { times: [], statuses: new Map<number | string, number>() }
        routes.set(route, stats)
        const started = performance.now()
        let response: Response | undefined
        let status: number | string
        try {
          response = await request()
          status = response.status
        } catch (err: any) {
          status = err.name
        }
        stats.times.push(performance.now() - started)
        stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1)
        completed++
        return response
      }
      const client = async (c: number): Promise<void> => {
        for (let i = 0; Date.now() < deadline; i++) {
          const pick = (c * 7919 + i * 104_729) % 100
          let response: Response | undefined
          if (pick < 25 && next < credentials.length) {
            const jws = credentials[next++]
            response = await timed('publish', async () => fetch(`${url}/v1/self-descriptions`, { method: 'POST', headers: { 'content-type': 'application/vc+jwt' }, body: jws, signal: AbortSignal.timeout(120_000) }))
            if (response?.status === 201) {
              acknowledged.push((await response.json()).cid)
              continue
            }
          } else if (pick < 45) {
            response = await timed('filter', async () => fetch(`${url}/v1/self-descriptions?type=gx:ServiceOffering&limit=20`, { signal: AbortSignal.timeout(120_000) }))
          } else if (pick < 65) {
            response = await timed('full text', async () => fetch(`${url}/v1/self-descriptions?q=${WORDS[i % WORDS.length]}&limit=20`, { signal: AbortSignal.timeout(120_000) }))
          } else if (pick < 80) {
            response = await timed('sparql', async () => fetch(`${url}/v1/sparql`, { method: 'POST', headers: { 'content-type': 'application/sparql-query' }, body: SPARQL[i % SPARQL.length], signal: AbortSignal.timeout(120_000) }))
          } else {
            response = await timed('by cid', async () => fetch(`${url}/v1/self-descriptions/${cids[(c + i) % cids.length]}`, { signal: AbortSignal.timeout(120_000) }))
          }
          const retryAfter = Number(response?.headers.get('retry-after') ?? 0)
          await response?.arrayBuffer().catch(() => {})
          if (retryAfter > 0) await new Promise(resolve => setTimeout(resolve, Math.min(retryAfter, 5) * 1000))
        }
      }
      const started = performance.now()
      await Promise.all(Array.from({ length: clients }, async (_, c) => client(c)))
      const elapsed = (performance.now() - started) / 1000
      const after = rssMiB(node.pid as number)
      const lag = await eventLoopLag(url)
      let lost = 0
      for (let i = 0; i < acknowledged.length; i += 64) {
        const found = await Promise.all(acknowledged.slice(i, i + 64).map(async cid => (await fetch(`${url}/v1/self-descriptions/${cid}`).then(async r => { await r.arrayBuffer(); return r.status }))))
        lost += found.filter(status => status !== 200).length
      }
      console.log(`  ${clients} clients for ${seconds} s: ${fmt(completed / elapsed)} requests/s, ${fmt(acknowledged.length)} publishes acknowledged, ${lost} lost; node RSS ${fmt(before)} → ${fmt(after)} MiB; event-loop lag p99 ${fmt(lag.p99)} ms, max ${fmt(lag.max)} ms`)
      let worstP99 = 0
      for (const [route, stats] of routes) {
        const times = [...stats.times].sort((a, b) => a - b)
        const p99 = percentile(times, 99)
        worstP99 = Math.max(worstP99, p99)
        const statuses = [...stats.statuses].map(([s, k]) => `${s}×${fmt(k)}`).join(' ')
        console.log(`    ${route.padEnd(10)} ${fmt(times.length).padStart(7)} requests   p50 ${fmt(percentile(times, 50), 1).padStart(7)} ms   p99 ${fmt(p99, 1).padStart(8)} ms   ${statuses}`)
      }
      console.log(`    → worst p99 ${fmt(worstP99)} ms${clients <= 200 ? ' (target < 1,000)' : ''}`)
    }
  } finally {
    await gxcat.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
