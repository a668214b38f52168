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
