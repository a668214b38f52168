import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { credentialDigest, generateIssuerKey, labelRank, readLabel, readSri, signCredential, validateGaiaxShapes } from '../../../protocols/self-description/index.ts'
import { decodePart } from '../../fixtures/jws.ts'
import { signLabel } from '../../fixtures/compliance.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

describe('compliance labels', () => {
  it('read an SRI digest in hex, base64 and base64url, several at once, and skip what is not one', () => {
    const hash = createHash('sha256').update('x').digest()
    assert.deepEqual(readSri(`sha256-${hash.toString('hex').toUpperCase()}`), [{ algorithm: 'sha256', hex: hash.toString('hex') }])
    assert.deepEqual(readSri(`sha256-${hash.toString('base64')}`), [{ algorithm: 'sha256', hex: hash.toString('hex') }])
    assert.deepEqual(readSri(`sha256-${hash.toString('base64url')}?ct=application/vc+jwt`), [{ algorithm: 'sha256', hex: hash.toString('hex') }])
    assert.equal(readSri(`md5-${hash.toString('hex')} sha256-xxxx sha384-${hash.toString('base64')} sha256`).length, 0)
    const sha512 = createHash('sha512').update('x').digest('hex')
    assert.deepEqual(readSri(`sha256-${hash.toString('hex')} sha512-${sha512}`).map(d => d.algorithm), ['sha256', 'sha512'])
  })

  it('rank levels SC < L1 < L2 < L3, BL with SC, and nothing else', () => {
    assert.deepEqual(['SC', 'BL', 'l1', 'L2', 'L3', 'L4', ''].map(labelRank), [0, 0, 1, 2, 3, undefined, undefined])
  })

  it('read a label in the official form and in the form compliance services write, in either vocabulary', async () => {
    const key = generateIssuerKey()
    const covered = await signCredential(serviceOffering(), generateIssuerKey())
    for (const vocabulary of ['2511', 'development'] as const) {
      for (const form of ['official', 'wild'] as const) {
        const label = decodePart(await signLabel(key, { level: 'L2', covers: [{ jws: covered, form }], vocabulary }), 1)
        const typeIris = [`https://w3id.org/gaia-x/${vocabulary}#LabelCredential`]
        const read = readLabel(label, typeIris)
        assert.equal(read?.level, 'L2')
        assert.equal(read?.rulesVersion, 'CD25.03')
        assert.deepEqual(read?.covers[0].digests, [{ algorithm: 'sha256', hex: credentialDigest(covered, 'sha256', 'jws') }])
        assert.equal(read?.covers[0].id, form === 'wild' ? decodePart(covered, 1).id : undefined)
        assert.deepEqual(await validateGaiaxShapes(label), [], `${vocabulary} ${form}`)
      }
    }
  })

  it('judge a label\'s own fields against the official shapes', async () => {
    const label = decodePart(await signLabel(generateIssuerKey(), { level: 'L7', covers: [{ jws: await signCredential(serviceOffering(), generateIssuerKey()), form: 'wild' }] }), 1)
    const violations = await validateGaiaxShapes(label)
    assert.deepEqual(violations.map(v => v.path), ['https://w3id.org/gaia-x/development#labelLevel'])
    assert.equal(readLabel(label, ['https://w3id.org/gaia-x/development#LabelCredential']), undefined)
  })
})
