/**
 * Values that look harmless and are not: dates that are not RFC 3339, identifiers that differ
 * only in Unicode normalisation, JSON nested deep enough to overflow a parser.
 */
import assert from 'node:assert/strict'
import { GX_DEVELOPMENT, VC2_CONTEXT } from '../../protocols/constants.ts'
import { generateIssuerKey, isRfc3339, signJws, signRevocation, didOf } from '../../protocols/self-description/index.ts'
import { get, post, startTestNode, type TestNode } from '../fixtures/node.ts'
import { serviceOffering } from '../fixtures/subjects.ts'

describe('strict values', function () {
  this.timeout(60_000)
  let t: TestNode
  const key = generateIssuerKey()
  const issuer = didOf(key.kid)
  const credential = async (subject: Record<string, unknown>, fields: Record<string, unknown> = {}): Promise<string> => signJws({
    '@context': [VC2_CONTEXT, GX_DEVELOPMENT],
    type: ['VerifiableCredential'],
    issuer,
    validFrom: '2026-01-01T00:00:00Z',
    credentialSubject: subject,
    ...fields
  }, key, { typ: 'vc+ld+json+jwt' })

  before(async () => { t = await startTestNode() })
  after(async () => { await t?.destroy() })

  it('knows RFC 3339 date-times from what Date.parse also takes', () => {
    for (const good of ['2026-01-01T00:00:00Z', '2025-03-06T14:33:31.206+00:00', '2026-12-31t23:59:59.123456789-05:30']) assert.ok(isRfc3339(good), good)
    for (const bad of ['0', '1', '2026', '2026-01-01', 'March 7, 2026', '2026-01-01 00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T00:00:00', 'not a date', 2026]) assert.ok(!isRfc3339(bad), String(bad))
  })

  it('refuses validFrom and validUntil that are not RFC 3339 date-times', async () => {
    for (const validFrom of ['0', '1', '2026-01-01', 'Thu, 01 Jan 2026 00:00:00 GMT']) {
      const r = await post(`${t.url}/v1/self-descriptions`, await credential(serviceOffering('https://so.example/dates'), { validFrom }))
      assert.equal(r.status, 400, validFrom)
      assert.equal(r.body.error.name, 'InvalidCredentialError')
      assert.match(r.body.error.message, /RFC 3339/)
    }
    const until = await post(`${t.url}/v1/self-descriptions`, await credential(serviceOffering('https://so.example/dates'), { validUntil: '2030' }))
    assert.equal(until.body.error.name, 'InvalidCredentialError')
  })

  it('refuses a revocation whose revokedAt is not a date-time', async () => {
    const r = await post(`${t.url}/v1/revocations`, await signRevocation('https://so.example/x', key, { revokedAt: 'not a date' }), 'text/plain')
    assert.equal(r.status, 400)
    assert.equal(r.body.error.name, 'InvalidEnvelopeError')
    assert.match(r.body.error.message, /revokedAt/)
  })

  it('refuses subject ids that are not in Unicode NFC, so that one id is one entry', async () => {
    const composed = 'https://so.example/caf\u00e9'
    const decomposed = 'https://so.example/cafe\u0301'
    assert.equal((await post(`${t.url}/v1/self-descriptions`, await credential(serviceOffering(composed)))).status, 201)
    const r = await post(`${t.url}/v1/self-descriptions`, await credential(serviceOffering(decomposed)))
    assert.equal(r.status, 400)
    assert.equal(r.body.error.name, 'InvalidCredentialError')
    assert.match(r.body.error.message, /NFC/)
    assert.equal((await get(`${t.url}/v1/status`)).body.entries, 1)
  })

  it('answers deeply nested application/json with 400 NestingTooDeepError, on every route', async () => {
    const nested = '['.repeat(100_000) + ']'.repeat(100_000)
    for (const route of ['/v1/self-descriptions', '/v1/validate', '/v1/sparql']) {
      const r = await post(`${t.url}${route}`, nested, 'application/json')
      assert.equal(r.status, 400, route)
      assert.equal(r.body.error.name, 'NestingTooDeepError', route)
    }
    const broken = await post(`${t.url}/v1/validate`, '{"a":', 'application/json')
    assert.equal(broken.status, 400)
    assert.equal(broken.body.error.name, 'InvalidRequestError')
    assert.equal((await get(`${t.url}/v1/status`)).status, 200)
  })
})
