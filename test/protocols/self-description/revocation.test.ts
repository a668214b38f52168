import assert from 'node:assert/strict'
import { createDidResolver, didOf, entryId, generateIssuerKey, signRevocation, verifyRevocation } from '../../../protocols/self-description/index.ts'
import { resign } from '../../fixtures/jws.ts'

describe('revocations', () => {
  const resolver = createDidResolver()
  const issuer = generateIssuerKey()
  const subject = 'https://provider.example/services/demo'

  it('verifies a revocation by the issuer of the entry', async () => {
    const revocation = await verifyRevocation(await signRevocation(subject, issuer, { reason: 'retired' }), { resolver })
    assert.equal(revocation.issuer, didOf(issuer.kid))
    assert.equal(revocation.entry, entryId(didOf(issuer.kid), subject))
    assert.equal(revocation.reason, 'retired')
  })

  it('refuses a revocation signed by someone other than the issuer', async () => {
    const mallory = generateIssuerKey()
    const forged = await signRevocation(subject, mallory, { issuer: didOf(issuer.kid) })
    await assert.rejects(verifyRevocation(forged, { resolver }), { name: 'RevocationIssuerMismatchError' })
  })

  it('accepts a revocation by a configured trust anchor', async () => {
    const anchor = generateIssuerKey()
    const byAnchor = await signRevocation(subject, anchor, { issuer: didOf(issuer.kid) })
    const revocation = await verifyRevocation(byAnchor, { resolver, revokers: [didOf(anchor.kid)] })
    assert.equal(revocation.signer, didOf(anchor.kid))
  })

  it('refuses a tampered revocation', async () => {
    const jws = await signRevocation(subject, issuer)
    const [h, , s] = jws.split('.')
    const payload = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString())
    payload.subject = 'https://provider.example/other'
    delete payload.entry
    await assert.rejects(verifyRevocation(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`, { resolver }), { name: 'InvalidSignatureError' })
    await assert.rejects(verifyRevocation(resign(jws, issuer, (_p, hd) => { hd.typ = 'vc+jwt' }), { resolver }), { name: 'InvalidEnvelopeError' })
  })
})
