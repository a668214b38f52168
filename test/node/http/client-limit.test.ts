import assert from 'node:assert/strict'
import { get, post, startTestNode } from '../../fixtures/node.ts'

describe('per-client limits on costly routes', function () {
  this.timeout(30_000)

  it('answers a client past its window 429 with Retry-After, and keeps serving reads', async () => {
    const t = await startTestNode({ http: { token: 't', requireToken: true, clientLimit: { requests: 3, windowMs: 60_000 } } })
    try {
      const auth = { authorization: 'Bearer t' }
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) statuses.push((await post(`${t.url}/v1/sparql`, 'SELECT * WHERE { ?s ?p ?o } LIMIT 1', 'application/sparql-query', auth)).status)
      assert.deepEqual(statuses, [200, 200, 200, 429, 429])
      const limited = await fetch(`${t.url}/v1/validate`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x.y.z' })
      assert.equal(limited.status, 429)
      assert.ok(Number(limited.headers.get('retry-after')) > 0)
      assert.equal((await limited.json()).error.name, 'RateLimitedError')
      assert.equal((await get(`${t.url}/v1/self-descriptions`)).status, 200)
      assert.equal((await get(`${t.url}/v1/status`)).status, 200)
    } finally {
      await t.destroy()
    }
  })

  it('does not limit a loopback-only node by default (the operator\'s own tools)', async () => {
    const t = await startTestNode()
    try {
      for (let i = 0; i < 50; i++) assert.equal((await post(`${t.url}/v1/sparql`, 'ASK { ?s ?p ?o }', 'application/sparql-query')).status, 200)
    } finally {
      await t.destroy()
    }
  })
})
