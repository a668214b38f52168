import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createDidResolver, didOf, generateIssuerKey, signCredential, verifyCredential, versionCid, compareVersions,
  readSubmission, signJws, type IssuerKey
} from '../../../protocols/self-description/index.ts'
import { MAX_CREDENTIAL_BYTES } from '../../../protocols/constants.ts'
import { b64u, decodePart, hmacSign, rawSign, resign } from '../../fixtures/jws.ts'
import { legalPerson2511, serviceOffering } from '../../fixtures/subjects.ts'

async function rejects (jws: string, name: string, pattern?: RegExp, resolver = createDidResolver()): Promise<void> {
  await assert.rejects(verifyCredential(jws, { resolver }), (err: Error) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`)
    if (pattern != null) assert.match(err.message, pattern)
    return true
  })
}

describe('self-description envelope', () => {
  let key: IssuerKey
  let jws: string
  const resolver = createDidResolver()

  before(async () => {
    key = generateIssuerKey('ed25519')
    jws = await signCredential(serviceOffering(), key)
  })

  describe('valid credentials', () => {
    it('signs a bare credentialSubject as a VC-JWT and verifies it', async () => {
      const header = decodePart(jws, 0)
      assert.equal(header.typ, 'vc+jwt')
      assert.equal(header.cty, 'vc')
      assert.equal(header.alg, 'EdDSA')
      assert.equal(header.kid, key.kid)
      const payload = decodePart(jws, 1)
      assert.deepEqual(payload['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://w3id.org/gaia-x/development#'])
      assert.equal(payload.issuer, didOf(key.kid))
      const verified = await verifyCredential(jws, { resolver })
      assert.equal(verified.issuer, didOf(key.kid))
      assert.equal(verified.subject, 'https://provider.example/services/demo')
      assert.deepEqual(verified.types, ['gx:ServiceOffering'])
      assert.deepEqual(verified.typeIris, ['https://w3id.org/gaia-x/development#ServiceOffering'])
      assert.equal(verified.cid, versionCid(jws).toString())
      assert.match(verified.cid, /^bafkrei/)
    })

    it('verifies P-256 (ES256) did:key credentials', async () => {
      const p256 = generateIssuerKey('p256')
      assert.match(p256.kid, /^did:key:zDn/)
      const verified = await verifyCredential(await signCredential(serviceOffering(), p256), { resolver })
      assert.equal(verified.issuer, didOf(p256.kid))
      assert.equal(decodePart(verified.jws, 0).alg, 'ES256')
    })

    it('verifies 2511 LegalPerson credentials', async () => {
      const verified = await verifyCredential(await signCredential(legalPerson2511(), key, { vocabulary: '2511' }), { resolver })
      assert.deepEqual(verified.typeIris, ['https://w3id.org/gaia-x/2511#LegalPerson'])
    })

    it('accepts a credential from an independent signer with an inline context and iss in the payload', async () => {
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2', { gx: 'https://w3id.org/gaia-x/development#', schema: 'https://schema.org/' }],
        type: ['VerifiableCredential'],
        issuer: didOf(key.kid),
        iss: didOf(key.kid),
        validFrom: new Date().toISOString(),
        credentialSubject: serviceOffering()
      }
      const verified = await verifyCredential(rawSign({ alg: 'EdDSA', typ: 'vc+ld+json+jwt', cty: 'vc+ld+json', kid: key.kid }, credential, key), { resolver })
      assert.deepEqual(verified.typeIris, ['https://w3id.org/gaia-x/development#ServiceOffering'])
    })

    it('reads typ and cty as media types: with or without application/, in any case (RFC 7515)', async () => {
      const credential = { '@context': ['https://www.w3.org/ns/credentials/v2', 'https://w3id.org/gaia-x/development#'], type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: new Date().toISOString(), credentialSubject: serviceOffering() }
      for (const [typ, cty] of [['application/vc+ld+json+jwt', 'application/vc+ld+json'], ['VC+LD+JWT', 'VC+LD'], ['Application/VC+JWT', undefined]]) {
        const verified = await verifyCredential(rawSign({ alg: 'EdDSA', typ, ...(cty != null ? { cty } : {}), kid: key.kid }, credential, key), { resolver })
        assert.deepEqual(verified.typeIris, ['https://w3id.org/gaia-x/development#ServiceOffering'], String(typ))
      }
      // still refused: another media type, and a presentation's type named as a credential
      await assert.rejects(verifyCredential(rawSign({ alg: 'EdDSA', typ: 'application/json', kid: key.kid }, credential, key), { resolver }), { name: 'InvalidEnvelopeError' })
      await assert.rejects(verifyCredential(rawSign({ alg: 'EdDSA', typ: 'application/vp+jwt', kid: key.kid }, credential, key), { resolver }), { name: 'UnsupportedFormatError' })
      assert.equal(readSubmission(rawSign({ alg: 'EdDSA', typ: 'APPLICATION/VP+LD+JSON+JWT', kid: key.kid }, {}, key)).kind, 'presentation')
    })

    it('orders versions by validFrom, then CID', () => {
      assert.ok(compareVersions({ validFrom: '2026-01-01T00:00:00Z', cid: 'b' }, { validFrom: '2026-01-02T00:00:00Z', cid: 'a' }) < 0)
      assert.ok(compareVersions({ validFrom: '2026-01-01T00:00:00Z', cid: 'b' }, { validFrom: '2026-01-01T00:00:00.000Z', cid: 'a' }) > 0)
      assert.equal(compareVersions({ validFrom: '2026-01-01T00:00:00Z', cid: 'a' }, { validFrom: '2026-01-01T00:00:00Z', cid: 'a' }), 0)
    })
  })

  describe('bad input', () => {
    it('refuses what is not a JWS', async () => {
      await rejects('hello', 'InvalidEnvelopeError', /not a compact JWS/)
      await rejects('a.b', 'InvalidEnvelopeError')
      await rejects('a.b.c.d', 'InvalidEnvelopeError')
      await rejects(`${b64u('not json')}.${b64u('{}')}.sig`, 'InvalidEnvelopeError', /header is not valid JSON/)
    })

    it('refuses alg none', async () => {
      const [, payload] = jws.split('.')
      await rejects(`${b64u({ alg: 'none', typ: 'vc+jwt', kid: key.kid })}.${payload}.`, 'UnsupportedAlgorithmError', /none/)
    })

    it('refuses HMAC, also with the public key as the secret', async () => {
      const payload = decodePart(jws, 1)
      const header = { ...decodePart(jws, 0), alg: 'HS256' }
      await rejects(hmacSign(header, payload, 'secret'), 'UnsupportedAlgorithmError', /HMAC/)
      await rejects(hmacSign(header, payload, Buffer.from(key.x as string, 'base64url')), 'UnsupportedAlgorithmError', /HMAC/)
    })

    it('refuses algorithms outside the allow-list', async () => {
      await rejects(resign(jws, key, (_p, h) => { h.alg = 'RS256' }), 'UnsupportedAlgorithmError', /not allowed/)
      await rejects(resign(jws, key, (_p, h) => { h.alg = 'ES512' }), 'UnsupportedAlgorithmError', /not allowed/)
    })

    it('refuses a bad signature', async () => {
      const [h, p, s] = jws.split('.')
      const sig = Buffer.from(s, 'base64url')
      sig[5] ^= 1
      await rejects(`${h}.${p}.${sig.toString('base64url')}`, 'InvalidSignatureError')
    })

    it('refuses a payload changed after signing', async () => {
      const [h, , s] = jws.split('.')
      const payload = decodePart(jws, 1)
      payload.credentialSubject['gx:name'] = 'Changed'
      await rejects(`${h}.${b64u(payload)}.${s}`, 'InvalidSignatureError')
    })

    it('refuses a signature by another key of the same kind', async () => {
      const other = generateIssuerKey('ed25519')
      await rejects(rawSign(decodePart(jws, 0), decodePart(jws, 1), other), 'InvalidSignatureError')
    })

    it('refuses a kid that is not a key of the issuer', async () => {
      const other = generateIssuerKey('ed25519')
      await rejects(resign(jws, other, (_p, h) => { h.kid = other.kid }), 'IssuerMismatchError', /not a key of the issuer/)
      await rejects(resign(jws, key, (_p, h) => { h.kid = `${didOf(key.kid)}#wrong` }), 'KeyNotFoundError')
    })

    it('refuses an iss that does not match the credential issuer', async () => {
      await rejects(resign(jws, key, (_p, h) => { h.iss = 'did:web:someone.example' }), 'IssuerMismatchError', /iss/)
      await rejects(resign(jws, key, (p) => { p.iss = 'did:web:someone.example' }), 'IssuerMismatchError', /iss/)
    })

    it('refuses expired and not-yet-valid credentials', async () => {
      await rejects(resign(jws, key, (p) => { p.validUntil = '2020-01-01T00:00:00Z' }), 'CredentialExpiredError')
      await rejects(resign(jws, key, (p) => { p.exp = Math.floor(Date.now() / 1000) - 3600 }), 'CredentialExpiredError')
      await rejects(resign(jws, key, (p) => { p.validFrom = '2099-01-01T00:00:00Z' }), 'CredentialNotYetValidError')
      await rejects(resign(jws, key, (p) => { p.nbf = Math.floor(Date.now() / 1000) + 86400 }), 'CredentialNotYetValidError')
    })

    it('refuses an unknown @context without downloading it', async () => {
      let fetched = false
      const watching = createDidResolver({ fetch: async () => { fetched = true; throw new Error('no') } })
      await rejects(resign(jws, key, (p) => { p['@context'].push('https://example.org/unknown-context.jsonld') }), 'UnknownContextError', /not bundled/, watching)
      await rejects(resign(jws, key, (p) => { p['@context'] = ['https://example.org/v2'] }), 'UnknownContextError', /first @context/, watching)
      assert.equal(fetched, false)
    })

    it('refuses a credential without credentialSubject.id', async () => {
      await rejects(resign(jws, key, (p) => { delete p.credentialSubject.id }), 'MissingSubjectIdError')
    })

    it('refuses shape violations and names the missing properties', async () => {
      // the 25.11 development shapes (official SHACL) name the path and the constraint
      await rejects(resign(jws, key, (p) => { delete p.credentialSubject['gx:providedBy'] }), 'ShapeViolationError', /^credentialSubject\.gx:providedBy: needs at least 1 value$/)
      await rejects(resign(jws, key, (p) => { p.credentialSubject['gx:serviceOfferingTermsAndConditions'] = 'https://x' }), 'ShapeViolationError', /serviceOfferingTermsAndConditions/)
      await rejects(resign(jws, key, (p) => { delete p.credentialSubject['gx:serviceOfferingTermsAndConditions']['gx:hash'] }), 'ShapeViolationError', /^credentialSubject\.gx:serviceOfferingTermsAndConditions\.gx:hash: needs at least 1 value$/)
      const person = await signCredential(legalPerson2511(), key, { vocabulary: '2511' })
      await rejects(resign(person, key, (p) => { delete p.credentialSubject['gx:registrationNumber'] }), 'ShapeViolationError', /registrationNumber/)
      await rejects(resign(person, key, (p) => { delete p.credentialSubject['gx:legalAddress']['gx:countryCode'] }), 'ShapeViolationError', /countryCode/)
      await assert.rejects(signCredential({ id: 'https://x.example', type: 'gx:ServiceOffering' }, key), { name: 'ShapeViolationError' })
    })

    it('passes other types through', async () => {
      const verified = await verifyCredential(await signCredential({ id: 'https://x.example/thing', type: 'schema:Thing', 'schema:name': 'x' }, key), { resolver })
      assert.deepEqual(verified.typeIris, ['https://schema.org/Thing'])
    })

    it('refuses oversized credentials before parsing the payload', async () => {
      const huge = `${jws.split('.')[0]}.${'A'.repeat(MAX_CREDENTIAL_BYTES)}.sig`
      await rejects(huge, 'PayloadTooLargeError', /limit/)
    })

    it('refuses deep JSON nesting', async () => {
      let deep: any = 'x'
      for (let i = 0; i < 100; i++) deep = { a: deep }
      await rejects(resign(jws, key, (p) => { p.credentialSubject['gx:deep'] = deep }), 'NestingTooDeepError')
      const brackets = `${jws.split('.')[0]}.${b64u('['.repeat(5000))}.sig`
      await rejects(brackets, 'NestingTooDeepError')
    })

    it('refuses legacy JSON-LD credentials with an embedded proof, naming the format', async () => {
      const legacy = JSON.stringify({ '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], credentialSubject: {}, proof: { type: 'JsonWebSignature2020' } })
      await rejects(legacy, 'UnsupportedFormatError', /Tagus/)
      await rejects(resign(jws, key, (p) => { p['@context'] = ['https://www.w3.org/2018/credentials/v1'] }), 'UnsupportedFormatError', /VC 1\.1/)
    })

    it('refuses a presentation where a credential is expected', async () => {
      await rejects(resign(jws, key, (_p, h) => { h.typ = 'vp+jwt' }), 'UnsupportedFormatError', /presentation/)
    })

    it('refuses a payload that is not a credential', async () => {
      await rejects(await signJws({ hello: 'world' }, key, { typ: 'vc+jwt' }), 'UnknownContextError')
    })
  })

  describe('did:web', () => {
    let server: Server
    let origin: string
    let webKey: IssuerKey
    let requests = 0
    const did = 'did:web:issuer.example:users:alice'

    before(async () => {
      const base = generateIssuerKey('p256')
      webKey = { ...base, kid: `${did}#key-1` }
      const { d: _d, kid: _kid, ...publicJwk } = webKey
      server = createServer((req, res) => {
        requests++
        if (req.url === '/users/alice/did.json') {
          res.setHeader('content-type', 'application/did+json')
          res.setHeader('cache-control', 'max-age=300')
          res.end(JSON.stringify({ id: did, verificationMethod: [{ id: `${did}#key-1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk }] }))
        } else if (req.url === '/.well-known/did.json') {
          res.end('not json')
        } else {
          res.statusCode = 404
          res.end()
        }
      })
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })

    after(() => { server.close() })

    it('resolves path-based did:web keys through an origin override, and caches the document', async () => {
      const resolver = createDidResolver({ originOverrides: [`issuer.example=${origin}`] })
      const signed = await signCredential(serviceOffering(), webKey)
      const before = requests
      const verified = await verifyCredential(signed, { resolver })
      assert.equal(verified.issuer, did)
      await verifyCredential(await signCredential(serviceOffering('https://provider.example/2'), webKey), { resolver })
      assert.equal(requests - before, 1)
    })

    it('names the reason when a DID document is missing, not JSON or lacks the kid', async () => {
      const resolver = createDidResolver({ originOverrides: [`issuer.example=${origin}`, `other.example=${origin}`] })
      const missing = { ...webKey, kid: 'did:web:issuer.example:users:bob#key-1' }
      await rejects(await signCredential(serviceOffering(), missing), 'DidResolutionError', /404/, resolver)
      const notJson = { ...webKey, kid: 'did:web:other.example#key-1' }
      await rejects(await signCredential(serviceOffering(), notJson), 'DidResolutionError', /not JSON/, resolver)
      const wrongKid = { ...webKey, kid: `${did}#key-2` }
      await rejects(await signCredential(serviceOffering(), wrongKid), 'KeyNotFoundError', /key-2/, resolver)
    })

    it('never reaches the internet for a host without an override in tests', async () => {
      const resolver = createDidResolver({ fetch: async () => { throw new Error('offline') }, timeoutMs: 500 })
      await rejects(await signCredential(serviceOffering(), webKey), 'DidResolutionError', /offline/, resolver)
    })
  })

  describe('signatures (node:crypto)', () => {
    it('refuses a key of another type than alg names, a critical extension, and a signature of the wrong length', async () => {
      const ed = generateIssuerKey()
      const payload = (key: IssuerKey): Record<string, unknown> => ({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: '2026-01-01T00:00:00Z', credentialSubject: { id: 'https://x.example/s' } })
      // an Ed25519 did:key named with ES256: the key cannot verify that algorithm
      const mismatched = rawSign({ alg: 'ES256', kid: ed.kid, typ: 'vc+jwt' }, payload(ed), generateIssuerKey('p256'))
      await rejects(mismatched, 'KeyNotFoundError', /cannot be used with ES256/)
      await rejects(rawSign({ alg: 'EdDSA', kid: ed.kid, typ: 'vc+jwt', crit: ['b64'], b64: false }, payload(ed), ed), 'InvalidEnvelopeError', /critical/)
      const p256 = generateIssuerKey('p256')
      const good = rawSign({ alg: 'ES256', kid: p256.kid, typ: 'vc+jwt' }, payload(p256), p256)
      const short = `${good.slice(0, good.lastIndexOf('.'))}.${Buffer.from(good.slice(good.lastIndexOf('.') + 1), 'base64url').subarray(0, 63).toString('base64url')}`
      await rejects(short, 'InvalidSignatureError')
      assert.equal((await verifyCredential(good, { resolver })).issuer, didOf(p256.kid))
    })
  })
})
