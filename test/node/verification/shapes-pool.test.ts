/**
 * The shapes pool judges exactly as the main thread does: the same violations for conforming,
 * violating and unparseable credentials of both vocabularies and of third parties; and it
 * keeps nothing alive once idle.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { GX_2511, GX_DEVELOPMENT, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { createDidResolver, generateIssuerKey, payloadOfVerifiedJws, signCredential, validateGaiaxShapes, verifyCredential } from '../../../protocols/self-description/index.ts'
import { createShapesPool } from '../../../node/verification/shapes-pool.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { legalPerson2511, serviceOffering, serviceOffering2511 } from '../../fixtures/subjects.ts'
import { decodePart, rawSign, resign } from '../../fixtures/jws.ts'

const thirdParty = (path: string): Record<string, unknown> => {
  const text = readFileSync(new URL(`../../fixtures/third-party/${path}`, import.meta.url), 'utf8').trim()
  return text.startsWith('{') ? JSON.parse(text) : payloadOfVerifiedJws(text)
}

/** Blank node labels differ from parse to parse: the verdict does not. */
const verdict = (violations: unknown[][]): unknown => JSON.parse(JSON.stringify(violations).replace(/"_:[^"]*"/g, '"_:blank"'))

const credential = (context: string, subject: Record<string, unknown>, type: string[] = ['VerifiableCredential']): Record<string, unknown> =>
  ({ '@context': [VC2_CONTEXT, context], type, issuer: 'did:key:z6Mkexample', validFrom: '2026-01-01T00:00:00Z', credentialSubject: subject })

describe('shapes pool', function () {
  this.timeout(120_000)

  it('gives the same verdict as the main thread on every credential, valid or not', async () => {
    const corpus: Array<Record<string, unknown>> = [
      ...(await generateJws(40, { seed: 81 })).map(payloadOfVerifiedJws),
      credential(GX_DEVELOPMENT, serviceOffering()),
      credential(GX_DEVELOPMENT, { ...serviceOffering(), 'gx:unknownProperty': 'closed shapes refuse it' }),
      credential(GX_DEVELOPMENT, { id: 'https://so.example/tagus', type: 'gx:ServiceOffering', 'gx:termsAndConditions': { 'gx:URL': 'https://t.example' } }),
      credential(GX_2511, legalPerson2511()),
      credential(GX_2511, serviceOffering2511()),
      credential(GX_2511, { id: 'https://lp.example/untyped' }, ['VerifiableCredential', 'gx:LegalPerson']),
      credential(GX_2511, { id: 'https://lp.example/bad', type: 'gx:LegalPerson', 'gx:registrationNumber': 42 }),
      credential(GX_DEVELOPMENT, { id: 'not json-ld at all', '@type': { nested: true } }),
      thirdParty('gaia-x-go/notary-telekom.jwt'),
      thirdParty('gaia-x-go/notary-gaia-x-lab.jwt'),
      thirdParty('xfsc-federated-catalogue/loire_legalPerson_valid.jsonld'),
      thirdParty('xfsc-federated-catalogue/loire_legalPerson_closed_violation.jsonld'),
      thirdParty('xfsc-federated-catalogue/loire_legalPerson_missing_required.jsonld')
    ]
    const inThread = await Promise.all(corpus.map(async c => validateGaiaxShapes(c)))
    const pool = createShapesPool(2)
    try {
      const inPool = await Promise.all(corpus.map(async c => pool.validate(c)))
      assert.deepEqual(verdict(inPool), verdict(inThread))
      assert.ok(inThread.some(v => v.length > 0) && inThread.some(v => v.length === 0), 'the corpus has both verdicts')
    } finally {
      await pool.close()
    }
    // one at a time too (a lone gossip message), in a pool that has not seen them
    const fresh = createShapesPool(1)
    try {
      for (const [i, c] of corpus.slice(-6).entries()) assert.deepEqual(verdict([await fresh.validate(c)]), verdict([inThread[corpus.length - 6 + i]]))
    } finally {
      await fresh.close()
    }
  })

  it('starts its workers when warmed or first asked, not when created (a restarting node rebuilds its RDF index first)', async () => {
    const idle = createShapesPool(1)
    const asked = createShapesPool(1)
    try {
      assert.equal(idle.started, false)
      idle.warm()
      assert.equal(idle.started, true)
      await idle.ready()
      assert.equal(asked.started, false)
      const good = credential(GX_2511, legalPerson2511('https://lp.example/lazy'))
      assert.deepEqual(await asked.validate(good), [])
      assert.equal(asked.started, true)
      await asked.ready()
    } finally {
      await Promise.all([idle.close(), asked.close()])
    }
  })

  it('remembers verdicts: a credential seen before (by another node of the process) is not validated again', async () => {
    const good = credential(GX_2511, legalPerson2511('https://lp.example/remembered'))
    const bad = credential(GX_2511, { id: 'https://lp.example/remembered-bad', type: 'gx:LegalPerson' })
    for (const size of [0, 1]) {
      const pool = createShapesPool(size)
      try {
        const first = await Promise.all([pool.validate(good), pool.validate(bad)])
        assert.equal(pool.remembered, 0)
        const again = await Promise.all([pool.validate(structuredClone(good)), pool.validate(bad, JSON.stringify(bad))])
        assert.equal(pool.remembered, 2, `size ${size}: both answered from memory`)
        assert.deepEqual(again, first)
        assert.deepEqual(first[0], [])
        assert.ok(first[1].length > 0, 'the violating one keeps its violations')
      } finally {
        await pool.close()
      }
    }
  })

  it('checks signatures in its workers and refuses nothing the main thread accepts, nor accepts anything it refuses', async () => {
    const ed = generateIssuerKey()
    const p256 = generateIssuerKey('p256')
    const other = generateIssuerKey()
    const good = await signCredential(serviceOffering('https://so.example/pooled'), ed, { validFrom: '2026-01-01T00:00:00Z' })
    const goodP256 = await signCredential(serviceOffering('https://so.example/pooled-p256'), p256, { validFrom: '2026-01-01T00:00:00Z' })
    const [header, payload, signature] = good.split('.')
    const otherSignature = (await signCredential(serviceOffering('https://so.example/other'), ed, { validFrom: '2026-01-01T00:00:00Z' })).split('.')[2]
    const corpus: Array<[string, string]> = [
      ['valid, EdDSA', good],
      ['valid, ES256', goodP256],
      ['violates the shapes', resign(good, ed, p => { p.credentialSubject['gx:unknownProperty'] = 'closed shapes refuse it' })],
      ['a signature of another payload', `${header}.${payload}.${otherSignature}`],
      ['signed by another key than its kid names', rawSign(decodePart(good, 0), decodePart(good, 1), other)],
      ['an ES256 signature of the wrong length', `${goodP256.slice(0, goodP256.lastIndexOf('.'))}.${Buffer.alloc(63, 1).toString('base64url')}`],
      // the verdict of its payload is remembered by then: the signature must still be checked
      ['a remembered payload with a broken signature', `${header}.${payload}.${signature.slice(0, -4)}AAAA`]
    ]
    const outcome = async (jws: string, shapes?: ReturnType<typeof createShapesPool>): Promise<unknown> => {
      try {
        return { cid: (await verifyCredential(jws, { resolver: createDidResolver(), ...(shapes != null ? { shapes } : {}) })).cid }
      } catch (err: any) {
        return { error: err.name, message: err.message.replace(/_:[^ ;]*/g, '_:blank') }
      }
    }
    const pool = createShapesPool(1)
    try {
      for (const [what, jws] of corpus) {
        const inThread = await outcome(jws)
        assert.deepEqual(await outcome(jws, pool), inThread, what)
      }
      // and all at once, as an import sends them
      const together = await Promise.all(corpus.map(async ([, jws]) => outcome(jws, pool)))
      assert.deepEqual(together, await Promise.all(corpus.map(async ([, jws]) => outcome(jws))))
      assert.deepEqual(together.map(o => (o as { error?: string }).error ?? 'accepted'), ['accepted', 'accepted', 'ShapeViolationError', 'InvalidSignatureError', 'InvalidSignatureError', 'InvalidSignatureError', 'InvalidSignatureError'])
      // more credentials than one worker batch, all with remembered verdicts (a second node of
      // the process receiving what the first took): signatures only, every one answered
      const many = await generateJws(80, { seed: 83 })
      for (let round = 0; round < 2; round++) {
        const outcomes = await Promise.all(many.map(async jws => outcome(jws, pool)))
        assert.ok(outcomes.every(o => (o as { cid?: string }).cid != null), `round ${round}: every credential accepted`)
      }
    } finally {
      await pool.close()
    }
  })
})
