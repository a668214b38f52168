/**
 * JWTs that carry a VC 2.0 credential or presentation under a `vc` or `vp` claim (typ JWT or
 * none), as OID4VCI's jwt_vc_json and the danubetech libraries write them and the Eclipse XFSC
 * catalogue takes them (its CredentialFormatDetectorTest builds such JWTs: iss, sub, vc).
 */
import assert from 'node:assert/strict'
import { VC2_CONTEXT, GX_DEVELOPMENT } from '../../../protocols/constants.ts'
import { createDidResolver, didOf, generateIssuerKey, signJws, validateSubmission, verifyCredential, verifyPresentation, readSubmission, type IssuerKey } from '../../../protocols/self-description/index.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

const resolver = createDidResolver()

function credentialOf (key: IssuerKey, subject = serviceOffering()): Record<string, any> {
  return { '@context': [VC2_CONTEXT, GX_DEVELOPMENT], id: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5', type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: '2026-01-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z', credentialSubject: subject }
}

async function wrapped (key: IssuerKey, claims: Record<string, unknown>, typ?: string): Promise<string> {
  return signJws(claims, key, typ != null ? { typ } : {})
}

describe('VC 2.0 in a vc or vp claim', () => {
  const key = generateIssuerKey()
  const vc = credentialOf(key)
  const claims = { iss: didOf(key.kid), sub: vc.credentialSubject.id, jti: vc.id, nbf: Date.parse(vc.validFrom) / 1000, exp: Date.parse(vc.validUntil) / 1000, vc }

  it('reads the credential under vc, with typ JWT or none', async () => {
    for (const typ of ['JWT', undefined]) {
      const verified = await verifyCredential(await wrapped(key, claims, typ), { resolver })
      assert.equal(verified.subject, vc.credentialSubject.id)
      assert.deepEqual(verified.credential, vc)
      assert.ok(verified.typeIris.includes(`${GX_DEVELOPMENT}ServiceOffering`))
    }
  })

  it('validates the credential under vc against the official shapes, not the claims around it', async () => {
    const report = await validateSubmission(await wrapped(key, claims, 'JWT'), { resolver })
    assert.equal(report.conforms, true)
    assert.equal(report.signature?.valid, true)
    const { 'schema:name': _name, ...nameless } = vc.credentialSubject
    const broken = await validateSubmission(await wrapped(key, { ...claims, vc: { ...vc, credentialSubject: { ...nameless, 'gx:unknownProperty': 'x' } } }, 'JWT'), { resolver })
    assert.equal(broken.conforms, false)
    assert.ok(broken.violations.some(v => v.constraint === 'sh:ClosedConstraintComponent'), JSON.stringify(broken.violations))
  })

  it('refuses registered claims that say something else than the credential, by name', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ iss: 'did:web:other.example' }, 'IssuerMismatchError'],
      [{ sub: 'https://other.example/service' }, 'JwtClaimMismatchError'],
      [{ jti: 'urn:uuid:other' }, 'JwtClaimMismatchError'],
      [{ nbf: claims.nbf + 3600 }, 'JwtClaimMismatchError'],
      [{ exp: claims.exp - 3600 }, 'JwtClaimMismatchError']
    ]
    for (const [change, name] of cases) {
      await assert.rejects(verifyCredential(await wrapped(key, { ...claims, ...change }, 'JWT'), { resolver }), { name }, JSON.stringify(change))
    }
  })

  it('keeps refusing the VC 1.1 data model under the same claim', async () => {
    const vc11 = { ...vc, '@context': ['https://www.w3.org/2018/credentials/v1'] }
    await assert.rejects(verifyCredential(await wrapped(key, { ...claims, vc: vc11 }, 'JWT'), { resolver }), { name: 'UnsupportedFormatError' })
  })

  it('reads a presentation under vp, and routes it as one', async () => {
    const credential = await wrapped(key, claims, 'JWT')
    const vp = { '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], holder: didOf(key.kid), verifiableCredential: [{ '@context': VC2_CONTEXT, type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${credential}` }] }
    const jws = await wrapped(key, { iss: didOf(key.kid), vp }, 'JWT')
    assert.equal(readSubmission(jws).kind, 'presentation')
    const presentation = await verifyPresentation(jws, { resolver })
    assert.deepEqual(presentation.credentials, [credential])
  })
})
