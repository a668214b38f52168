/**
 * SPARQL in an external store: a real Virtuoso Open Source (Debian's virtuoso-opensource-7-bin)
 * on loopback, kept in step with a node through the SPARQL 1.1 protocol, stopped and started
 * around the node in every order, and answering as the embedded index does.
 */
import assert from 'node:assert/strict'
import { generateJws } from '../../../simulations/generator.ts'
import { generateIssuerKey, signCredential, signRevocation } from '../../../protocols/self-description/index.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { get, post, startTestNode, tempDir, type TestNode } from '../../fixtures/node.ts'
import { createVirtuoso, virtuosoMissing, type VirtuosoServer } from '../../fixtures/virtuoso.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { createSparqlEndpoint } from '../../../node/query/sparql-endpoint.ts'
import { sparqlFrom, sparqlSettled } from '../../fixtures/sparql-from.ts'

const QUERIES = {
  quads: 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }',
  graphs: 'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }',
  types: 'SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type',
  // a service offering and its provider are in two credentials: two graphs of the store
  providers: 'SELECT ?service ?name WHERE { ?service a gxdev:ServiceOffering ; gxdev:providedBy ?p . ?p gxdev:legalName ?name } ORDER BY ?service',
  names: 'SELECT ?s ?name WHERE { ?s schema:name ?name FILTER (CONTAINS(LCASE(?name), "api")) } ORDER BY ?s ?name LIMIT 50'
}

const BOMB = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }'

const sparql = async (url: string, query: string): Promise<{ status: number, body: any }> => post(`${url}/v1/sparql`, query, 'application/sparql-query')

/** an answer as rows of values: what two stores must agree on (Virtuoso and Oxigraph label blank nodes and order columns their own way) */
const rows = (body: any): string[] => body.results.bindings.map((b: any) => body.head.vars.map((v: string) => `${v}=${b[v]?.value ?? ''}`).join(' '))

/** what the store itself holds of the catalogue, asked directly */
const storeGraphs = async (virtuoso: VirtuosoServer): Promise<Set<string>> => {
  const r = await fetch(virtuoso.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/sparql-results+json' }, body: new URLSearchParams({ query: 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "urn:gxcat:")) }' }) })
  return new Set((await r.json()).results.bindings.map((b: any) => b.g.value))
}

describe('SPARQL in an external store (Virtuoso)', function () {
  this.timeout(300_000)
  const missing = virtuosoMissing()
  let virtuoso: VirtuosoServer
  let embedded: TestNode
  let stored: TestNode
  let storedDir: string

  const startStored = async (): Promise<TestNode> => startTestNode({ dir: storedDir, node: { sparqlStore: { url: virtuoso.authEndpoint, user: virtuoso.user, password: virtuoso.password }, queryTimeoutMs: 3000 } })
  /** the node has compared the store with its replica and nothing waits to be written */
  const inStep = async (t: TestNode): Promise<void> => {
    await waitFor(async () => sparqlSettled(t.url, true), 60_000, 'the store in step with the node')
  }
  const publishToBoth = async (jwss: string[]): Promise<void> => {
    for (const jws of jwss) {
      assert.equal((await post(`${stored.url}/v1/self-descriptions`, jws)).status, 201)
      assert.equal((await post(`${embedded.url}/v1/self-descriptions`, jws)).status, 201)
    }
  }
  const sameAnswers = async (): Promise<void> => {
    await inStep(stored)
    for (const [name, query] of Object.entries(QUERIES)) {
      const fromStore = await sparql(stored.url, query)
      const fromMemory = await sparql(embedded.url, query)
      assert.equal(fromStore.status, 200, `${name}: ${JSON.stringify(fromStore.body)}`)
      assert.ok(rows(fromMemory.body).length > 0, name)
      assert.deepEqual(rows(fromStore.body), rows(fromMemory.body), name)
    }
  }

  before(async function () {
    if (missing != null) {
      console.log(`      skipped: ${missing}`)
      this.skip()
    }
    virtuoso = await createVirtuoso()
    storedDir = await tempDir()
    stored = await startStored()
    embedded = await startTestNode({ dir: await tempDir() })
  })
  after(async () => {
    await stored?.destroy()
    await embedded?.destroy()
    await virtuoso?.destroy()
  })

  it('puts each accepted version in a named graph, and drops it on supersede and revoke (by SPARQL Update where the store has no Graph Store endpoint)', async () => {
    await stored.stop()
    stored = await startTestNode({ dir: storedDir, node: { sparqlStore: { url: virtuoso.authEndpoint, user: virtuoso.user, password: virtuoso.password, graphStore: false } } })
    const key = generateIssuerKey()
    const older = await signCredential(serviceOffering('https://provider.example/services/s'), key, { validFrom: '2026-01-01T00:00:00Z' })
    const newer = await signCredential({ ...serviceOffering('https://provider.example/services/s'), 'schema:name': 'Newer' }, key, { validFrom: '2026-02-01T00:00:00Z' })
    const a = await post(`${stored.url}/v1/self-descriptions`, older)
    await inStep(stored)
    assert.ok((await storeGraphs(virtuoso)).has(`urn:gxcat:version:${a.body.cid}`))
    const b = await post(`${stored.url}/v1/self-descriptions`, newer)
    assert.equal(b.body.supersedes, a.body.cid)
    await inStep(stored)
    let graphs = await storeGraphs(virtuoso)
    assert.ok(!graphs.has(`urn:gxcat:version:${a.body.cid}`), 'the superseded version is dropped')
    assert.ok(graphs.has(`urn:gxcat:version:${b.body.cid}`))
    assert.deepEqual(rows((await sparql(stored.url, 'SELECT ?name WHERE { <https://provider.example/services/s> schema:name ?name }')).body), ['name=Newer'])

    const revoked = await post(`${stored.url}/v1/revocations`, await signRevocation('https://provider.example/services/s', key), 'text/plain')
    assert.equal(revoked.status, 201)
    await inStep(stored)
    graphs = await storeGraphs(virtuoso)
    assert.ok(!graphs.has(`urn:gxcat:version:${b.body.cid}`), 'the revoked version is dropped')
    assert.equal((await sparql(stored.url, 'ASK { <https://provider.example/services/s> ?p ?o }')).body.boolean, false)
    assert.equal(graphs.size, 0)
    const status = await get(`${stored.url}/v1/status`)
    assert.equal(status.body.sparql.store.url, virtuoso.authEndpoint)
    assert.equal(JSON.stringify(status.body).includes(virtuoso.password + '@'), false)
    await stored.stop()
    stored = await startStored()
  })

  it('answers as the embedded index does after the node and the store stop and start in every order', async () => {
    const batches = Array.from({ length: 7 }, (_, i) => i)
    const all = await generateJws(7 * 12, { seed: 77 })
    const next = (): string[] => all.splice(0, 12)
    await publishToBoth(next())
    await sameAnswers()
    const orders: Array<{ name: string, steps: Array<'node down' | 'node up' | 'store down' | 'store up' | 'publish'> }> = [
      { name: 'node, store down; store, node up', steps: ['node down', 'store down', 'store up', 'node up'] },
      { name: 'node, store down; node, store up', steps: ['node down', 'store down', 'node up', 'publish', 'store up'] },
      { name: 'store, node down; store, node up', steps: ['store down', 'publish', 'node down', 'store up', 'node up'] },
      { name: 'store, node down; node, store up', steps: ['store down', 'publish', 'node down', 'node up', 'publish', 'store up'] },
      { name: 'the store down and up under a running node', steps: ['store down', 'publish', 'store up'] },
      { name: 'the node down and up', steps: ['node down', 'node up'] }
    ]
    assert.ok(batches.length >= orders.length)
    for (const order of orders) {
      for (const step of order.steps) {
        if (step === 'node down') await stored.stop()
        else if (step === 'node up') stored = await startStored()
        else if (step === 'store down') await virtuoso.stop()
        else if (step === 'store up') await virtuoso.start()
        else {
          await publishToBoth(next())
          // the store does not answer: the node says so rather than answer from half a catalogue
          const down = await sparql(stored.url, QUERIES.quads)
          assert.equal(down.status, 503, `${order.name}: ${JSON.stringify(down.body)}`)
          assert.equal(down.body.error.name, 'SparqlUnavailableError')
        }
      }
      await sameAnswers().catch(err => { throw new Error(`${order.name}: ${err.message}`) })
    }
  })

  it('refuses updates and federated queries, stops a query at its budget with a named error, caps answers, and keeps budgets per client', async () => {
    for (const jws of await generateJws(40, { seed: 78 })) assert.equal((await post(`${stored.url}/v1/self-descriptions`, jws)).status, 201)
    await inStep(stored)
    assert.equal((await sparql(stored.url, 'INSERT DATA { <urn:a> <urn:b> <urn:c> }')).body.error.name, 'ReadOnlyQueryError')
    assert.equal((await sparql(stored.url, 'SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/> { ?s ?p ?o } }')).body.error.name, 'InvalidQueryError')
    const syntax = await sparql(stored.url, 'SELECT * WHERE { ?s ?p }')
    assert.equal(syntax.status, 400)
    assert.match(syntax.body.error.message, /line 1, column \d+/)

    // Virtuoso answers a query past its timeout with 200, part of an answer and X-SQL-State: S1TAT
    const started = Date.now()
    const bomb = await sparql(stored.url, BOMB)
    assert.equal(bomb.status, 400, JSON.stringify(bomb.body))
    assert.equal(bomb.body.error.name, 'QueryTimeoutError')
    assert.ok(Date.now() - started < 8000, `stopped after ${Date.now() - started} ms`)

    // an answer is read no further than its cap
    const endpoint = createSparqlEndpoint({ url: virtuoso.endpoint })
    await assert.rejects(endpoint.query('SELECT * WHERE { ?s ?p ?o }', { maxBytes: 4096 }), { name: 'QueryTooLargeError' })
    assert.ok((await endpoint.query('SELECT * WHERE { ?s ?p ?o } LIMIT 1', { maxBytes: 4096 })).body.length < 4096)

    await stored.stop()
    const budgeted = await startTestNode({ dir: storedDir, node: { sparqlStore: { url: virtuoso.authEndpoint, user: virtuoso.user, password: virtuoso.password }, queryTimeoutMs: 3000, sparqlBudget: { ms: 1500, windowMs: 60_000 } } })
    try {
      await inStep(budgeted)
      const spending = sparqlFrom('127.0.0.2', budgeted.url, BOMB)
      // another client's cheap query answers while the bomb runs on the store
      const cheap = await sparqlFrom('127.0.0.3', budgeted.url, QUERIES.quads)
      assert.equal(cheap.status, 200)
      assert.ok(cheap.ms < 2000, `answered in ${Math.round(cheap.ms)} ms`)
      const spent = await spending
      assert.equal(spent.error, 'QueryTimeoutError')
      assert.ok(spent.ms < 3000, `stopped at what was left of the 1.5 s budget, after ${Math.round(spent.ms)} ms`)
      const refused = await sparqlFrom('127.0.0.2', budgeted.url, QUERIES.quads)
      assert.deepEqual([refused.status, refused.error], [429, 'QueryBudgetError'])
      assert.ok(Number(refused.retryAfter) > 0)
      assert.equal((await sparqlFrom('127.0.0.3', budgeted.url, QUERIES.quads)).status, 200)
    } finally {
      await budgeted.stop()
      stored = await startStored()
    }
  })

  it('loads 10,000 entries through the node, and a node with another replica replaces what the store held', async () => {
    await stored.destroy()
    const jwss = await generateJws(10_000, { seed: 10 })
    const fresh = await startTestNode({ dir: await tempDir(), node: { sparqlStore: { url: virtuoso.authEndpoint, user: virtuoso.user, password: virtuoso.password } } })
    stored = fresh
    try {
      for (let i = 0; i < jwss.length; i += 100) {
        const published = await Promise.all(jwss.slice(i, i + 100).map(async jws => fresh.node.publish(jws)))
        assert.ok(published.every(p => p.status === 'active'), JSON.stringify(published.find(p => p.status !== 'active')))
      }
      await inStep(fresh)
      const graphs = await storeGraphs(virtuoso)
      assert.equal(graphs.size, 10_000)
      const count = await sparql(fresh.url, 'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a cred:VerifiableCredential }')
      assert.equal(Number(count.body.results.bindings[0].n.value), 10_000)
    } finally {
      await fresh.stop()
    }
  })
})
