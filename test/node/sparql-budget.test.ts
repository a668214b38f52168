/**
 * A SPARQL query cannot freeze a node: past its time or size budget it is stopped with a named
 * error, its memory is released (the worker that ran it is replaced and loaded again from the
 * replica), filters answer throughout, and a stopping node does not wait for it.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { generateJws } from '../../simulations/generator.ts'
import { startCliNode } from '../fixtures/cli-node.ts'
import { get, post, startTestNode, tempDir, type TestNode } from '../fixtures/node.ts'
import { waitFor } from '../fixtures/wait.ts'
import { createServer } from 'node:http'
import { createDidResolver, generateIssuerKey, signCredential } from '../../protocols/self-description/index.ts'
import { serviceOffering } from '../fixtures/subjects.ts'

const BOMB = 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }'
const COUNT = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
const sparql = async (url: string, query: string): Promise<{ status: number, body: any }> => post(`${url}/v1/sparql`, query, 'application/sparql-query')

describe('SPARQL with a budget', function () {
  this.timeout(120_000)
  let t: TestNode
  let quads: number

  before(async () => {
    t = await startTestNode({ node: { queryTimeoutMs: 1000 } })
    for (const jws of await generateJws(60, { seed: 11 })) assert.equal((await post(`${t.url}/v1/self-descriptions`, jws)).status, 201)
    quads = Number((await sparql(t.url, COUNT)).body.results.bindings[0].n.value)
    assert.ok(quads > 500)
  })
  after(async () => { await t?.destroy() })

  it('stops a cartesian-product query at its time budget, answers filters meanwhile, and comes back with every quad', async () => {
    const started = Date.now()
    const bomb = sparql(t.url, BOMB)
    const filterStarted = Date.now()
    const filter = await get(`${t.url}/v1/self-descriptions?type=gx:ServiceOffering&limit=5`)
    assert.equal(filter.status, 200)
    assert.ok(Date.now() - filterStarted < 1000, 'filters answer while SPARQL is busy')
    const stopped = await bomb
    assert.equal(stopped.status, 400)
    assert.equal(stopped.body.error.name, 'QueryTimeoutError')
    assert.ok(Date.now() - started < 5000, `stopped after ${Date.now() - started} ms`)
    const during = await sparql(t.url, COUNT)
    if (during.status !== 200) {
      assert.equal(during.status, 503)
      assert.equal(during.body.error.name, 'SparqlUnavailableError')
    }
    await waitFor(async () => (await sparql(t.url, COUNT)).status === 200, 30_000, 'SPARQL back')
    assert.equal(Number((await sparql(t.url, COUNT)).body.results.bindings[0].n.value), quads)
  })

  it('answers 503 NodeBusyError with Retry-After at once when the queries ahead fill the queue, and their budgets start when they run', async () => {
    const busy = await startTestNode({ node: { queryTimeoutMs: 1500, maxQueuedQueries: 3 }, dir: await tempDir() })
    try {
      for (const jws of await generateJws(40, { seed: 14 })) await post(`${busy.url}/v1/self-descriptions`, jws)
      const bomb = sparql(busy.url, BOMB)
      await new Promise(resolve => setImmediate(resolve))
      const queued = [sparql(busy.url, COUNT), sparql(busy.url, COUNT)]
      await waitFor(async () => {
        const started = Date.now()
        const r = await fetch(`${busy.url}/v1/sparql`, { method: 'POST', headers: { 'content-type': 'application/sparql-query' }, body: COUNT })
        if (r.status !== 503) return false
        const body = await r.json()
        assert.equal(body.error.name, 'NodeBusyError')
        assert.equal(r.headers.get('retry-after'), '1')
        assert.ok(Date.now() - started < 500, 'refused at once, not after waiting')
        return true
      }, 5000, 'a query past the queue to be refused')
      assert.equal((await bomb).body.error.name, 'QueryTimeoutError')
      // the queries queued behind the bomb were not timed out by its budget: they are answered, or refused while the engine restarts
      for (const r of await Promise.all(queued)) assert.ok(r.status === 200 || r.body.error.name === 'SparqlUnavailableError', JSON.stringify(r.body))
    } finally {
      await busy.destroy()
    }
  })

  it('keeps costly writes to a bound, answering the rest 503 NodeBusyError with Retry-After', async () => {
    const hanging = createServer(() => {}) // answers nothing: a publish that resolves its did:web waits
    await new Promise<void>(resolve => hanging.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`
    const limited = await startTestNode({ node: { resolver: createDidResolver({ originOverrides: [`hang.example=${origin}`], timeoutMs: 3000 }) }, http: { maxInFlight: 4 }, dir: await tempDir() })
    try {
      const key = { ...generateIssuerKey(), kid: 'did:web:hang.example#key-1' }
      const bodies = await Promise.all(Array.from({ length: 10 }, async (_, i) => signCredential(serviceOffering(`https://hang.example/so/${i}`), key, { validFrom: '2026-01-01T00:00:00Z' })))
      const answers = await Promise.all(bodies.map(async body => fetch(`${limited.url}/v1/self-descriptions`, { method: 'POST', headers: { 'content-type': 'application/vc+jwt' }, body })))
      const busy = answers.filter(r => r.status === 503)
      assert.equal(busy.length, 6, answers.map(r => r.status).join(' '))
      assert.ok(busy.every(r => r.headers.get('retry-after') === '1'))
      assert.equal((await busy[0].json()).error.name, 'NodeBusyError')
      // the admitted ones end (here: the host never answers) and free their places
      assert.ok(answers.filter(r => r.status === 400).length === 4)
      const [jws] = await generateJws(1, { seed: 15 })
      assert.equal((await post(`${limited.url}/v1/self-descriptions`, jws)).status, 201)
    } finally {
      await limited.destroy()
      hanging.closeAllConnections()
      await new Promise(resolve => hanging.close(resolve))
    }
  })

  it('refuses an answer larger than the budget by name', async () => {
    const small = await startTestNode({ node: { queryTimeoutMs: 60_000 }, dir: await tempDir() })
    try {
      for (const jws of await generateJws(30, { seed: 12 })) await post(`${small.url}/v1/self-descriptions`, jws)
      // ~ (30 × 12 quads)² rows: a few hundred MB of JSON, over the 32 MiB budget
      const r = await sparql(small.url, 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }')
      assert.equal(r.status, 400)
      assert.equal(r.body.error.name, 'QueryTooLargeError')
      await waitFor(async () => (await sparql(small.url, COUNT)).status === 200, 30_000, 'SPARQL back')
    } finally {
      await small.destroy()
    }
  })

  it('lets SIGTERM stop a node within 5 s while a query runs', async () => {
    const dir = await tempDir()
    const node = await startCliNode(join(dir, 'n'), ['--query-timeout', '60'])
    try {
      for (const jws of await generateJws(60, { seed: 13 })) await post(`${node.url}/v1/self-descriptions`, jws)
      void sparql(node.url, BOMB).catch(() => {})
      await new Promise(resolve => setTimeout(resolve, 300))
      const started = Date.now()
      await node.stop()
      assert.ok(Date.now() - started < 5000, `stopped after ${Date.now() - started} ms`)
    } finally {
      await node.stop().catch(() => {})
    }
  })
})

describe('SPARQL within a memory cap', function () {
  this.timeout(120_000)

  it('stops a result bomb by name once it has taken the memory cap, long before its time budget', async () => {
    const cap = 64 * 2 ** 20
    const t = await startTestNode({ node: { queryTimeoutMs: 60_000, queryMemoryBytes: cap } })
    try {
      for (const jws of await generateJws(60, { seed: 12 })) assert.equal((await post(`${t.url}/v1/self-descriptions`, jws)).status, 201)
      assert.equal((await sparql(t.url, COUNT)).status, 200)
      const before = process.memoryUsage.rss()
      let peak = before
      const sampling = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 10)
      const started = Date.now()
      const stopped = await sparql(t.url, BOMB).finally(() => { clearInterval(sampling) })
      assert.equal(stopped.status, 400, JSON.stringify(stopped.body))
      assert.equal(stopped.body.error.name, 'QueryTooLargeError')
      assert.ok(Date.now() - started < 30_000, `stopped after ${Date.now() - started} ms`)
      // the watch looks every 50 ms: the answer grows a little past the cap before it is stopped
      assert.ok(peak - before < cap + 128 * 2 ** 20, `the node grew by ${Math.round((peak - before) / 2 ** 20)} MiB`)
      await waitFor(async () => (await sparql(t.url, COUNT)).status === 200, 30_000, 'SPARQL back')
    } finally {
      await t.destroy()
    }
  })
})
