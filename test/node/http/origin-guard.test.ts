/**
 * Browsers cannot write through a node: cross-site writes, validation and sync are refused,
 * requests for a Host the node does not serve (DNS rebinding) are refused, and reads are open
 * cross-site only to the origins the operator lists.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { generateIssuerKey, signCredential } from '../../../protocols/self-description/index.ts'
import { startTestNode, type TestNode } from '../../fixtures/node.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: any }

/** A raw HTTP request, so that Host and Origin can be whatever a hostile page makes them. */
async function raw (url: string, method: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, response => {
      const chunks: Buffer[] = []
      response.on('data', c => chunks.push(c))
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: any = text
        try { parsed = JSON.parse(text) } catch {}
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('browsers and the HTTP API', function () {
  this.timeout(30_000)
  let t: TestNode
  let withCors: TestNode
  let jws: string

  before(async () => {
    t = await startTestNode()
    withCors = await startTestNode({ http: { cors: ['https://app.example'] } })
    jws = await signCredential(serviceOffering('https://so.example/browser'), generateIssuerKey())
  })
  after(async () => {
    await t?.destroy()
    await withCors?.destroy()
  })

  it('refuses a cross-site text/plain POST (the form a web page can send without preflight), and stores nothing', async () => {
    for (const path of ['/v1/self-descriptions', '/v1/validate', '/v1/revocations', '/v1/sync']) {
      const r = await raw(`${t.url}${path}`, 'POST', { origin: 'https://evil.example', 'content-type': 'text/plain' }, jws)
      assert.equal(r.status, 403, path)
      assert.equal(r.body.error.name, 'ForbiddenOriginError', path)
    }
    assert.equal((await raw(`${t.url}/v1/status`, 'GET', {})).body.entries, 0)
  })

  it('refuses any request for a Host it does not serve (DNS rebinding)', async () => {
    const port = new URL(t.url).port
    for (const method of ['GET', 'POST']) {
      const r = await raw(`${t.url}/v1/status`, method, { host: `rebound.evil.example:${port}`, origin: `http://rebound.evil.example:${port}` })
      assert.equal(r.status, 403)
      assert.equal(r.body.error.name, 'ForbiddenOriginError')
    }
    const ok = await raw(`${t.url}/v1/status`, 'GET', { host: `localhost:${port}` })
    assert.equal(ok.status, 200)
  })

  it('takes writes from the same origin and from clients that send no Origin', async () => {
    const host = new URL(t.url).host
    const sameOrigin = await raw(`${t.url}/v1/self-descriptions`, 'POST', { origin: `http://${host}`, 'content-type': 'text/plain' }, jws)
    assert.equal(sameOrigin.status, 201)
    const noOrigin = await raw(`${t.url}/v1/validate`, 'POST', { 'content-type': 'text/plain' }, jws)
    assert.equal(noOrigin.status, 200)
  })

  it('opens reads cross-site only to the listed origins (off by default)', async () => {
    const closed = await raw(`${t.url}/v1/status`, 'GET', { origin: 'https://app.example' })
    assert.equal(closed.status, 200)
    assert.equal(closed.headers['access-control-allow-origin'], undefined)
    const open = await raw(`${withCors.url}/v1/status`, 'GET', { origin: 'https://app.example' })
    assert.equal(open.headers['access-control-allow-origin'], 'https://app.example')
    const other = await raw(`${withCors.url}/v1/status`, 'GET', { origin: 'https://other.example' })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
    const preflight = await raw(`${withCors.url}/v1/sparql`, 'OPTIONS', { origin: 'https://app.example', 'access-control-request-method': 'POST' })
    assert.equal(preflight.status, 204)
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/)
    const refused = await raw(`${withCors.url}/v1/sparql`, 'OPTIONS', { origin: 'https://other.example', 'access-control-request-method': 'POST' })
    assert.equal(refused.status, 403)
  })
})
