/**
 * SPARQL shared fairly between clients: a client's bomb does not hold up another client's cheap
 * query (two engines: one answers while the other runs the bomb and is loaded again), a client
 * past its budget of query time gets 429 while others do not, and queued queries of two clients
 * are served in turn. Clients are told apart by address, as beyond loopback: here 127.0.0.2 and
 * 127.0.0.3, both loopback.
 */
import assert from 'node:assert/strict'
import { generateJws } from '../../../simulations/generator.ts'
import { post, startTestNode, type TestNode } from '../../fixtures/node.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { sparqlFrom } from '../../fixtures/sparql-from.ts'

const BOMB = 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }'
const CHEAP = 'SELECT ?s WHERE { ?s ?p ?o } LIMIT 1'

async function withEntries (init: Parameters<typeof startTestNode>[0]): Promise<TestNode> {
  const t = await startTestNode(init)
  for (const jws of await generateJws(60, { seed: 21 })) assert.equal((await post(`${t.url}/v1/self-descriptions`, jws)).status, 201)
  return t
}

describe('SPARQL shares between clients', function () {
  this.timeout(120_000)

  it('answers another client\'s cheap query within 2 s before, during and after a bomb is stopped', async () => {
    const t = await withEntries({ node: { queryTimeoutMs: 3000, sparqlWorkers: 2 } })
    try {
      const before = await sparqlFrom('127.0.0.3', t.url, CHEAP)
      const bomb = sparqlFrom('127.0.0.2', t.url, BOMB)
      let stopped = false
      const cheap: Array<Awaited<ReturnType<typeof sparqlFrom>>> = [before]
      void bomb.then(() => { stopped = true })
      // during the bomb, and for 2 s after it is stopped while its engine is loaded again
      let stoppedAt: number | undefined
      while (stoppedAt == null || performance.now() - stoppedAt < 2000) {
        cheap.push(await sparqlFrom('127.0.0.3', t.url, CHEAP))
        if (stopped) stoppedAt ??= performance.now()
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      const stoppedBomb = await bomb
      // stopped at its time budget, or at the memory cap where it reaches that first
      assert.equal(stoppedBomb.status, 400)
      assert.ok(['QueryTimeoutError', 'QueryTooLargeError'].includes(stoppedBomb.error ?? ''), stoppedBomb.error)
      assert.ok(cheap.length >= 10, `${cheap.length} cheap queries`)
      for (const answer of cheap) {
        assert.equal(answer.status, 200, JSON.stringify(answer))
        assert.ok(answer.ms < 2000, `answered in ${Math.round(answer.ms)} ms`)
      }
    } finally {
      await t.destroy()
    }
  })

  it('answers a client past its budget 429 with Retry-After, and serves another client', async () => {
    const t = await withEntries({ node: { queryTimeoutMs: 5000, sparqlBudget: { ms: 400, windowMs: 60_000 } } })
    try {
      // the bomb is stopped at what is left of its client's 400 ms, not at the 5 s timeout
      const bomb = await sparqlFrom('127.0.0.2', t.url, BOMB)
      assert.deepEqual([bomb.status, bomb.error], [400, 'QueryTimeoutError'])
      assert.ok(bomb.ms < 3000, `stopped after ${Math.round(bomb.ms)} ms`)
      await waitFor(async () => (await sparqlFrom('127.0.0.3', t.url, CHEAP)).status === 200, 30_000, 'the engine to be back')
      const past = await sparqlFrom('127.0.0.2', t.url, CHEAP)
      assert.deepEqual([past.status, past.error], [429, 'QueryBudgetError'])
      assert.ok(Number(past.retryAfter) > 0 && Number(past.retryAfter) <= 60, `Retry-After ${past.retryAfter}`)
      const other = await sparqlFrom('127.0.0.3', t.url, CHEAP)
      assert.equal(other.status, 200)
    } finally {
      await t.destroy()
    }
  })

  it('serves queued queries of two clients in turn, not first come first served', async () => {
    const t = await withEntries({})
    try {
      const done: string[] = []
      const ask = async (client: string, name: string): Promise<void> => {
        await t.node.sparql(CHEAP, undefined, { client })
        done.push(name)
      }
      // a sends 200 at once, then b sends 5: first come first served, b's would be the last five;
      // in turn, they are served beside a's once the engine has the next few of a's in hand
      const a = Array.from({ length: 200 }, async (_, i) => ask('a', `a${i}`))
      const b = Array.from({ length: 5 }, async (_, i) => ask('b', `b${i}`))
      await Promise.all([...a, ...b])
      const lastOfB = Math.max(...done.map((name, i) => name.startsWith('b') ? i : -1))
      assert.ok(lastOfB < 100, `b's last query finished ${lastOfB + 1}th of 205: ${done.join(' ')}`)
    } finally {
      await t.destroy()
    }
  })
})
