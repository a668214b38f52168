import assert from 'node:assert/strict'
import { createEntryRecordValidator, entryOfRecordKey, entryRecordKey, indexTermCid, selectEntryRecord } from '../../../protocols/dht-records/index.ts'
import { createDidResolver, didOf, entryId, generateIssuerKey, signCredential, signRevocation, versionCidText } from '../../../protocols/self-description/index.ts'
import { b64u, decodePart } from '../../fixtures/jws.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

describe('DHT records', () => {
  const resolver = createDidResolver()
  const validate = createEntryRecordValidator({ resolver })
  const key = generateIssuerKey()
  const subject = 'https://provider.example/services/demo'
  const entry = entryId(didOf(key.kid), subject)
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

  it('validates a record under its own entry key', async () => {
    const jws = await signCredential(serviceOffering(subject), key)
    await validate(entryRecordKey(entry), bytes(jws))
    assert.equal(entryOfRecordKey(entryRecordKey(entry)), entry)
  })

  it('rejects forged records, records under another key, and foreign keys', async () => {
    const jws = await signCredential(serviceOffering(subject), key)
    const payload = decodePart(jws, 1)
    payload.credentialSubject['gx:name'] = 'forged'
    const [h, , s] = jws.split('.')
    await assert.rejects(validate(entryRecordKey(entry), bytes(`${h}.${b64u(payload)}.${s}`)), { name: 'InvalidDhtRecordError', message: /InvalidSignatureError/ })
    const other = await signCredential(serviceOffering('https://provider.example/other'), key)
    await assert.rejects(validate(entryRecordKey(entry), bytes(other)), { name: 'InvalidDhtRecordError', message: /is for entry/ })
    await assert.rejects(validate(bytes('/ipns/abc'), bytes(jws)), { name: 'InvalidDhtRecordError' })
    await assert.rejects(validate(entryRecordKey(entry), bytes('garbage')), { name: 'InvalidDhtRecordError' })
  })

  it('takes the record of the version a node holds as its entry\'s head without verifying it again, unless it expired', async () => {
    const jws = await signCredential(serviceOffering(subject), key)
    const payload = decodePart(jws, 1)
    payload.credentialSubject['gx:name'] = 'altered'
    const [h, , s] = jws.split('.')
    const altered = `${h}.${b64u(payload)}.${s}`
    const other = await signCredential(serviceOffering('https://provider.example/other'), key)
    // what this node holds it verified as it stored it: here the altered one, to show it is not verified again
    const heads = new Map([[entry, versionCidText(altered)]])
    const trusting = createEntryRecordValidator({ resolver, knownVersion: (cid, e) => heads.get(e) === cid })
    await trusting(entryRecordKey(entry), bytes(altered))
    // another entry's version under this key is not this entry's head: verified, and refused
    await assert.rejects(trusting(entryRecordKey(entry), bytes(other)), { name: 'InvalidDhtRecordError', message: /is for entry/ })
    // an expired head is verified, and refused
    const expired = await signCredential({ credentialSubject: serviceOffering(subject), validUntil: '2025-06-01T00:00:00Z' }, key, { validFrom: '2025-01-01T00:00:00Z' })
    heads.set(entry, versionCidText(expired))
    await assert.rejects(trusting(entryRecordKey(entry), bytes(expired)), { name: 'InvalidDhtRecordError' })
    // one it does not hold is verified
    heads.clear()
    await assert.rejects(trusting(entryRecordKey(entry), bytes(altered)), { name: 'InvalidDhtRecordError', message: /InvalidSignatureError/ })
    await trusting(entryRecordKey(entry), bytes(jws))
  })

  it('selects the newest version, and a revocation over any version', async () => {
    const older = await signCredential(serviceOffering(subject), key, { validFrom: '2026-01-01T00:00:00Z' })
    const newer = await signCredential(serviceOffering(subject), key, { validFrom: '2026-03-01T00:00:00Z' })
    const revocation = await signRevocation(subject, key, { revokedAt: '2026-02-01T00:00:00Z' })
    const k = entryRecordKey(entry)
    assert.equal(selectEntryRecord(k, [bytes(older), bytes(newer)]), 1)
    assert.equal(selectEntryRecord(k, [bytes(newer), bytes(older)]), 0)
    assert.equal(selectEntryRecord(k, [bytes(newer), bytes(revocation), bytes(older)]), 1)
    assert.equal(selectEntryRecord(k, [bytes('garbage'), bytes(older)]), 1)
    await validate(k, bytes(revocation))
  })

  it('names index terms by a stable CID', () => {
    assert.equal(indexTermCid('type', 'gx:ServiceOffering').toString(), indexTermCid('type', 'gx:ServiceOffering').toString())
    assert.notEqual(indexTermCid('type', 'gx:ServiceOffering').toString(), indexTermCid('keyword', 'gx:ServiceOffering').toString())
  })
})
