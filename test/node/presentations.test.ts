import assert from 'node:assert/strict'
import { VC2_CONTEXT } from '../../protocols/constants.ts'
import { didOf, generateIssuerKey, signCredential, signJws, type IssuerKey } from '../../protocols/self-description/index.ts'
import { b64u, decodePart } from '../fixtures/jws.ts'
import { get, post, startTestNode, type TestNode } from '../fixtures/node.ts'
import { legalPerson2511, serviceOffering } from '../fixtures/subjects.ts'

async function presentation (holder: IssuerKey, credentials: string[], extra: Record<string, unknown> = {}): Promise<string> {
  return signJws({
    '@context': [VC2_CONTEXT],
    type: ['VerifiablePresentation'],
    holder: didOf(holder.kid),
    verifiableCredential: credentials.map(jws => ({ '@context': [VC2_CONTEXT], type: 'EnvelopedVerifiableCredential', id: `data:application/vc+ld+json+jwt,${jws}` })),
    ...extra
  }, holder, { typ: 'vp+ld+json+jwt', cty: 'vp+ld+json' })
}

describe('verifiable presentations (VP-JWT)', () => {
  let t: TestNode
  const issuer = generateIssuerKey('p256')
  const holder = generateIssuerKey()

  before(async () => { t = await startTestNode() })
  after(async () => { await t.destroy() })

  it('stores each enveloped credential on its own: a LegalPerson and a ServiceOffering', async () => {
    const person = await signCredential(legalPerson2511('https://provider.example/vp/person'), issuer, { vocabulary: '2511' })
    const offering = await signCredential(serviceOffering('https://provider.example/vp/offering'), issuer)
    const r = await post(`${t.url}/v1/self-descriptions`, await presentation(holder, [person, offering]), 'application/vp+jwt')
    assert.equal(r.status, 201, JSON.stringify(r.body))
    assert.equal(r.body.holder, didOf(holder.kid))
    assert.deepEqual(r.body.credentials.map((c: any) => c.status), ['active', 'active'])
    for (const c of r.body.credentials) assert.equal((await get(`${t.url}/v1/self-descriptions/${c.cid}`)).status, 200)
    assert.equal((await get(`${t.url}/v1/self-descriptions?type=gx:LegalPerson`)).body.items.length, 1)
  })

  it('judges each credential on its own and says which failed', async () => {
    const good = await signCredential(serviceOffering('https://provider.example/vp/good'), issuer)
    const bad = await signCredential(serviceOffering('https://provider.example/vp/bad'), issuer)
    const payload = decodePart(bad, 1)
    payload.credentialSubject['gx:name'] = 'tampered'
    const [h, , s] = bad.split('.')
    const r = await post(`${t.url}/v1/self-descriptions`, await presentation(holder, [good, `${h}.${b64u(payload)}.${s}`]), 'application/vp+jwt')
    assert.equal(r.status, 201)
    assert.equal(r.body.credentials[0].status, 'active')
    assert.equal(r.body.credentials[1].status, 'refused')
    assert.equal(r.body.credentials[1].error.name, 'InvalidSignatureError')
  })

  it('refuses a presentation with a bad signature, nested presentations and too many credentials', async () => {
    const good = await signCredential(serviceOffering('https://provider.example/vp/x'), issuer)
    const vp = await presentation(holder, [good])
    const [h, p] = vp.split('.')
    const forged = await post(`${t.url}/v1/self-descriptions`, `${h}.${p}.${b64u('nope')}`, 'application/vp+jwt')
    assert.equal(forged.status, 400)
    assert.equal(forged.body.error.name, 'InvalidSignatureError')
    const nested = await signJws({ '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], verifiableCredential: [{ type: 'EnvelopedVerifiablePresentation', id: `data:application/vp+jwt,${vp}` }] }, holder, { typ: 'vp+jwt' })
    const r1 = await post(`${t.url}/v1/self-descriptions`, nested, 'application/vp+jwt')
    assert.equal(r1.status, 400)
    assert.equal(r1.body.error.name, 'InvalidPresentationError')
    const many = await presentation(holder, Array.from({ length: 1001 }, () => 'a.b.c'))
    const r2 = await post(`${t.url}/v1/self-descriptions`, many, 'application/vp+jwt')
    assert.equal(r2.status, 400)
    assert.match(r2.body.error.message, /more than 1000/)
    const otherHolder = await signJws({ '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], holder: 'did:web:someone.example', verifiableCredential: [] }, holder, { typ: 'vp+jwt' })
    assert.equal((await post(`${t.url}/v1/self-descriptions`, otherHolder, 'application/vp+jwt')).body.error.name, 'IssuerMismatchError')
  })
})
