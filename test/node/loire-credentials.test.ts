/**
 * Gaia-X credentials as they are issued today, through a real node and its HTTP API: the media
 * types of the clearing-house notaries, JSON-LD envelopes and presentations, types on the
 * credential, contexts as published, the 25.11 development shapes, validation of what people
 * hold (as of another time too), and W3C Bitstring Status Lists.
 */
import assert from 'node:assert/strict'
import { GX_2511, GX_DEVELOPMENT, VC2_CONTEXT, VC2_EXAMPLES_CONTEXT } from '../../protocols/constants.ts'
import { createDidResolver, expandTerm, readContexts, signJws } from '../../protocols/self-description/index.ts'
import {
  createGaiaxIssuer, createIntermediateCa, createRootCa, startDidWebHost, type DidWebHost, type GaiaxIssuer
} from '../fixtures/gaia-x-issuer.ts'
import { get, post, startTestNode, type TestNode } from '../fixtures/node.ts'
import { signStatusList, statusEntry } from '../fixtures/status-list.ts'
import { legalPerson2511, serviceOffering } from '../fixtures/subjects.ts'

const HOUR = 3600 * 1000
const DAY = 24 * HOUR
const LD = 'application/ld+json'

describe('Gaia-X credentials as issued today', function () {
  this.timeout(60_000)
  let web: DidWebHost
  let issuer: GaiaxIssuer
  let other: GaiaxIssuer
  let t: TestNode

  /** a VC 2.0 credential of `issuer`, signed with any header */
  const sign = async (credential: Record<string, unknown>, header: Record<string, unknown> = { typ: 'vc+ld+json+jwt', cty: 'vc+ld+json' }, by = issuer): Promise<string> => {
    const now = Date.now()
    return signJws({
      '@context': [VC2_CONTEXT, GX_2511],
      type: ['VerifiableCredential'],
      issuer: by.did,
      validFrom: new Date(now - 60_000).toISOString(),
      validUntil: new Date(now + 90 * DAY).toISOString(),
      ...credential
    }, by.key, header)
  }
  const person = (id: string): Record<string, unknown> => ({ credentialSubject: legalPerson2511(id) })
  const envelope = (jws: string, type = 'EnvelopedVerifiableCredential', media = 'vc+ld+json+jwt'): Record<string, unknown> => ({ '@context': VC2_CONTEXT, type, id: `data:application/${media},${jws}` })

  before(async () => {
    web = await startDidWebHost()
    const root = await createRootCa('Test Gaia-X Trust Anchor')
    const intermediate = await createIntermediateCa('Test Notary CA', root)
    issuer = await createGaiaxIssuer(web, { alg: 'ES256', name: 'notary', chain: [intermediate, root] })
    other = await createGaiaxIssuer(web, { alg: 'ES256', name: 'other', chain: [intermediate, root] })
    t = await startTestNode({ node: { resolver: createDidResolver({ originOverrides: [web.override] }), statusRecheckMs: 0 } })
  })

  after(async () => {
    await t?.destroy()
    await web?.close()
  })

  describe('media types', () => {
    it('takes typ vc+ld+jwt with cty vc+ld, as the clearing-house notaries emit', async () => {
      const jws = await sign(person('https://lp.example/notary-typ'), { typ: 'vc+ld+jwt', cty: 'vc+ld', iss: issuer.did, iat: Date.now() })
      const r = await post(`${t.url}/v1/self-descriptions`, jws, 'application/vc+ld+jwt')
      assert.equal(r.status, 201, JSON.stringify(r.body))
    })

    it('takes a VP-JWT with typ vp+ld+jwt and cty vp+ld', async () => {
      const vc = await sign(person('https://lp.example/in-vp-ld'))
      const vp = await signJws({ '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], holder: issuer.did, verifiableCredential: [envelope(vc)] }, issuer.key, { typ: 'vp+ld+jwt', cty: 'vp+ld' })
      const r = await post(`${t.url}/v1/self-descriptions`, vp, 'application/vp+ld+jwt')
      assert.equal(r.status, 201, JSON.stringify(r.body))
      assert.equal(r.body.credentials[0].status, 'active')
    })

    it('names VC-JWT 1.1 (typ JWT, a vc claim) alike from publish, validate and verify', async () => {
      const jwt11 = await signJws({ iss: issuer.did, vc: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], credentialSubject: { id: 'x:1' } } }, issuer.key, { typ: 'JWT' })
      const published = await post(`${t.url}/v1/self-descriptions`, jwt11)
      assert.equal(published.status, 400)
      assert.equal(published.body.error.name, 'UnsupportedFormatError')
      assert.match(published.body.error.message, /VC-JWT 1\.1.*vc\+ld\+json\+jwt/)
      const validated = await post(`${t.url}/v1/validate`, jwt11)
      assert.equal(validated.body.error.name, 'UnsupportedFormatError')
      const noTyp = await signJws({ iss: issuer.did, vp: { type: ['VerifiablePresentation'] } }, issuer.key, {})
      assert.equal((await post(`${t.url}/v1/self-descriptions`, noTyp)).body.error.name, 'UnsupportedFormatError')
    })
  })

  describe('enveloped credentials in JSON-LD', () => {
    it('unwraps an EnvelopedVerifiableCredential, also as ;base64 and vc+jwt', async () => {
      const plain = await sign(person('https://lp.example/env-1'))
      assert.equal((await post(`${t.url}/v1/self-descriptions`, JSON.stringify(envelope(plain)), LD)).status, 201)
      const b64 = await sign(person('https://lp.example/env-2'))
      const base64 = { '@context': VC2_CONTEXT, type: 'EnvelopedVerifiableCredential', id: `data:application/vc+ld+json+jwt;base64,${Buffer.from(b64).toString('base64')}` }
      assert.equal((await post(`${t.url}/v1/self-descriptions`, JSON.stringify(base64), 'application/json')).status, 201)
      const vcJwt = await sign(person('https://lp.example/env-3'), { typ: 'vc+jwt', cty: 'vc' })
      assert.equal((await post(`${t.url}/v1/self-descriptions`, JSON.stringify(envelope(vcJwt, 'EnvelopedVerifiableCredential', 'vc+jwt')), LD)).status, 201)
    })

    it('unwraps an EnvelopedVerifiablePresentation and a JSON-LD presentation of enveloped credentials, each credential on its own', async () => {
      const a = await sign(person('https://lp.example/env-vp-a'))
      const vp = await signJws({ '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], holder: issuer.did, verifiableCredential: [envelope(a)] }, issuer.key, { typ: 'vp+ld+json+jwt', cty: 'vp' })
      const r = await post(`${t.url}/v1/self-descriptions`, JSON.stringify(envelope(vp, 'EnvelopedVerifiablePresentation', 'vp+ld+json+jwt')), LD)
      assert.equal(r.status, 201, JSON.stringify(r.body))

      const good = await sign(person('https://lp.example/env-ld-good'))
      const forged = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA')
      const bundle = { '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], verifiableCredential: [envelope(good), envelope(forged)] }
      const both = await post(`${t.url}/v1/self-descriptions`, JSON.stringify(bundle), LD)
      assert.equal(both.status, 201)
      assert.equal(both.body.credentials[0].status, 'active')
      assert.equal(both.body.credentials[1].error.name, 'InvalidSignatureError')
    })

    it('refuses an id that is not a data: URL, a data: URL of another media type, and a presentation of thousands', async () => {
      const notData = await post(`${t.url}/v1/self-descriptions`, JSON.stringify({ type: 'EnvelopedVerifiableCredential', id: 'https://example.org/vc.jwt' }), LD)
      assert.equal(notData.status, 400)
      assert.equal(notData.body.error.name, 'InvalidEnvelopeError')
      assert.match(notData.body.error.message, /data: URL/)
      const wrongType = await post(`${t.url}/v1/self-descriptions`, JSON.stringify({ type: 'EnvelopedVerifiableCredential', id: 'data:text/plain,eyJ.eyJ.x' }), LD)
      assert.equal(wrongType.body.error.name, 'InvalidEnvelopeError')
      assert.match(wrongType.body.error.message, /text\/plain/)
      const many = { '@context': [VC2_CONTEXT], type: ['VerifiablePresentation'], verifiableCredential: Array.from({ length: 5000 }, () => ({ type: 'EnvelopedVerifiableCredential', id: 'data:application/vc+ld+json+jwt,a.b.c' })) }
      for (const route of ['/v1/self-descriptions', '/v1/validate']) {
        const r = await post(`${t.url}${route}`, JSON.stringify(many), LD)
        assert.equal(r.status, 400)
        assert.equal(r.body.error.name, 'InvalidPresentationError')
      }
      assert.equal((await get(`${t.url}/v1/status`)).status, 200)
    })
  })

  describe('types where Loire puts them', () => {
    it('indexes an untyped subject as of its credential\'s types: filters, full text and SPARQL find it', async () => {
      const subject = legalPerson2511('https://lp.example/typed-on-credential')
      delete subject.type
      subject['schema:name'] = 'Quokka Logistics GmbH'
      const jws = await sign({ type: ['VerifiableCredential', 'gx:LegalPerson'], credentialSubject: subject })
      const r = await post(`${t.url}/v1/self-descriptions`, jws)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const version = await get(`${t.url}/v1/self-descriptions/${r.body.cid}`)
      assert.deepEqual(version.body.types, ['gx:LegalPerson'])
      const byType = await get(`${t.url}/v1/self-descriptions?type=gx:LegalPerson&q=quokka`)
      assert.deepEqual(byType.body.items.map((i: any) => i.cid), [r.body.cid])
      const sparql = await post(`${t.url}/v1/sparql`, `SELECT ?s WHERE { ?s a <${GX_2511}LegalPerson> ; <https://schema.org/name> "Quokka Logistics GmbH" }`, 'application/sparql-query')
      assert.deepEqual(sparql.body.results.bindings.map((b: any) => b.s.value), ['https://lp.example/typed-on-credential'])
    })

    it('validates such a subject against the shapes of its credential\'s types', async () => {
      const subject = legalPerson2511('https://lp.example/typed-on-credential-bad')
      delete subject.type
      delete subject['gx:registrationNumber']
      const r = await post(`${t.url}/v1/self-descriptions`, await sign({ type: ['VerifiableCredential', 'gx:LegalPerson'], credentialSubject: subject }))
      assert.equal(r.status, 400)
      assert.equal(r.body.error.name, 'ShapeViolationError')
      assert.ok(r.body.error.violations.some((v: any) => v.path === `${GX_2511}registrationNumber`))
    })
  })

  describe('contexts as published', () => {
    it('expands bare terms to the IRIs the published contexts give', () => {
      const development = readContexts([VC2_CONTEXT, GX_DEVELOPMENT])
      assert.equal(expandTerm('gaiaxTermsAndConditions', development), `${GX_DEVELOPMENT}gaiaxTermsAndConditions`)
      assert.equal(expandTerm('LegalPerson', development), `${GX_DEVELOPMENT}LegalPerson`)
      assert.equal(expandTerm('name', development), 'https://schema.org/name')
      assert.equal(expandTerm('leiCode', development), 'https://schema.org/leiCode')
      assert.equal(expandTerm('LegalPerson', readContexts([VC2_CONTEXT, GX_2511])), `${GX_2511}LegalPerson`)
      assert.equal(expandTerm('degree', readContexts([VC2_CONTEXT, VC2_EXAMPLES_CONTEXT])), 'https://www.w3.org/ns/credentials/examples#degree')
    })

    it('stores a credential written with bare terms under the published context, and refuses a context no bundle holds', async () => {
      const jws = await signJws({
        '@context': [VC2_CONTEXT, GX_DEVELOPMENT],
        type: ['VerifiableCredential', 'LegalPerson'],
        issuer: issuer.did,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        credentialSubject: {
          id: 'https://lp.example/bare-terms',
          name: 'Bare Terms AG',
          registrationNumber: { type: 'LocalRegistrationNumber', local: 'HRB 1' },
          legalAddress: { type: 'Address', countryCode: 'DE' },
          headquartersAddress: { type: 'Address', countryCode: 'DE' }
        }
      }, issuer.key, { typ: 'vc+ld+json+jwt' })
      const r = await post(`${t.url}/v1/self-descriptions`, jws)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const count = await post(`${t.url}/v1/sparql`, `SELECT ?s WHERE { ?s a <${GX_DEVELOPMENT}LegalPerson> ; <https://schema.org/name> "Bare Terms AG" }`, 'application/sparql-query')
      assert.equal(count.body.results.bindings.length, 1)
      const unknown = await post(`${t.url}/v1/self-descriptions`, await sign({ '@context': [VC2_CONTEXT, 'https://example.org/my-context'], credentialSubject: { id: 'x:unknown' } }))
      assert.equal(unknown.status, 400)
      assert.equal(unknown.body.error.name, 'UnknownContextError')
    })
  })

  describe('the 25.11 development shapes', () => {
    it('judges development-vocabulary credentials by the official shapes, not the Tagus rules', async () => {
      const conforming = await sign({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], credentialSubject: serviceOffering('https://so.example/dev-ok') })
      assert.equal((await post(`${t.url}/v1/self-descriptions`, conforming)).status, 201)
      // what the hand-written (Tagus-era) rules wanted: termsAndConditions {URL, hash}, policy
      const tagusStyle = await sign({
        '@context': [VC2_CONTEXT, GX_DEVELOPMENT],
        credentialSubject: { id: 'https://so.example/dev-tagus', type: 'gx:ServiceOffering', 'gx:providedBy': { id: 'did:web:p.example' }, 'gx:termsAndConditions': { 'gx:URL': 'https://p.example/t', 'gx:hash': 'ab' }, 'gx:policy': 'allow' }
      })
      const refused = await post(`${t.url}/v1/self-descriptions`, tagusStyle)
      assert.equal(refused.status, 400)
      assert.equal(refused.body.error.name, 'ShapeViolationError')
      const components = new Set(refused.body.error.violations.map((v: any) => v.constraint))
      assert.ok(components.has('sh:ClosedConstraintComponent') && components.has('sh:MinCountConstraintComponent'), JSON.stringify([...components]))
      assert.ok(refused.body.error.violations.every((v: any) => v.shape == null || v.shape.startsWith(GX_DEVELOPMENT)))
    })
  })

  describe('POST /v1/validate for what people hold', () => {
    it('reports per credential of a JSON-LD presentation, on a bare graph, and on a JWS', async () => {
      const good = await sign(person('https://lp.example/validate-good'))
      const bad = await sign({ credentialSubject: { ...legalPerson2511('https://lp.example/validate-bad'), 'gx:registrationNumber': undefined } })
      const report = await post(`${t.url}/v1/validate`, JSON.stringify({ '@context': [VC2_CONTEXT], type: 'VerifiablePresentation', verifiableCredential: [envelope(good), envelope(bad)] }), LD)
      assert.equal(report.status, 200)
      assert.equal(report.body.conforms, false)
      assert.equal(report.body.credentials.length, 2)
      assert.equal(report.body.credentials[0].conforms, true)
      assert.equal(report.body.credentials[0].signature.valid, true)
      assert.equal(report.body.credentials[1].conforms, false)
      const graph = { '@context': { gx: GX_DEVELOPMENT }, '@id': 'https://lp.example/bare-graph', '@type': 'gx:LegalPerson' }
      const bare = await post(`${t.url}/v1/validate`, JSON.stringify(graph), LD)
      assert.equal(bare.body.conforms, false)
      assert.ok(bare.body.violations.some((v: any) => v.path === `${GX_DEVELOPMENT}registrationNumber`))
      const single = await post(`${t.url}/v1/validate`, good)
      assert.deepEqual({ conforms: single.body.conforms, signature: single.body.signature }, { conforms: true, signature: { valid: true } })
      assert.equal((await get(`${t.url}/v1/status`)).body.entries > 0, true) // (earlier tests stored some; validate stored none of these)
      assert.equal((await get(`${t.url}/v1/entries/${encodeURIComponent(issuer.did)}/${encodeURIComponent('https://lp.example/validate-good')}`)).status, 404)
    })

    it('judges dates as of ?at, so an expired credential\'s signature, chain and shapes can still be checked', async () => {
      const expired = await signJws({
        '@context': [VC2_CONTEXT, GX_2511],
        type: ['VerifiableCredential'],
        issuer: issuer.did,
        validFrom: new Date(Date.now() - 3 * HOUR).toISOString(),
        validUntil: new Date(Date.now() - 1 * HOUR).toISOString(),
        credentialSubject: legalPerson2511('https://lp.example/expired')
      }, issuer.key, { typ: 'vc+ld+json+jwt' })
      const now = await post(`${t.url}/v1/validate`, expired)
      assert.equal(now.body.signature.error.name, 'CredentialExpiredError')
      const then = await post(`${t.url}/v1/validate?at=${new Date(Date.now() - 2 * HOUR).toISOString()}`, expired)
      assert.deepEqual(then.body.signature, { valid: true })
      assert.equal(then.body.conforms, true)
      // neither the credential nor the leaf certificate was valid 10 years ago
      const tooEarly = await post(`${t.url}/v1/validate?at=2016-01-01T00:00:00Z`, expired)
      assert.equal(tooEarly.body.signature.valid, false)
      const badAt = await post(`${t.url}/v1/validate?at=yesterday`, expired)
      assert.equal(badAt.status, 400)
      assert.equal(badAt.body.error.name, 'InvalidQueryError')
    })
  })

  describe('status lists (W3C Bitstring Status List)', () => {
    const listUrl = (name: string): string => `https://${web.host}/status/${name}`
    const serveList = async (name: string, purpose: 'revocation' | 'suspension', bits: number[], by = issuer): Promise<void> => {
      web.serve(`/status/${name}`, await signStatusList(by.key, by.did, listUrl(name), purpose, bits), 'application/vc+jwt', 'no-cache')
    }
    const withStatus = async (id: string, entries: Array<Record<string, unknown>>): Promise<string> => sign({ ...person(id), credentialStatus: entries })

    it('stores a credential whose bit is clear, refuses one revoked or suspended by name', async () => {
      await serveList('rev-1', 'revocation', [7])
      await serveList('sus-1', 'suspension', [9])
      const ok = await post(`${t.url}/v1/self-descriptions`, await withStatus('https://lp.example/status-ok', [statusEntry(listUrl('rev-1'), 3), statusEntry(listUrl('sus-1'), 3, 'suspension')]))
      assert.equal(ok.status, 201, JSON.stringify(ok.body))
      const revoked = await post(`${t.url}/v1/self-descriptions`, await withStatus('https://lp.example/status-revoked', [statusEntry(listUrl('rev-1'), 7)]))
      assert.equal(revoked.status, 409)
      assert.equal(revoked.body.error.name, 'CredentialRevokedError')
      const suspended = await post(`${t.url}/v1/self-descriptions`, await withStatus('https://lp.example/status-suspended', [statusEntry(listUrl('sus-1'), 9, 'suspension')]))
      assert.equal(suspended.body.error.name, 'CredentialSuspendedError')
      const report = await post(`${t.url}/v1/validate`, await withStatus('https://lp.example/status-revoked', [statusEntry(listUrl('rev-1'), 7)]))
      assert.equal(report.body.signature.error.name, 'CredentialRevokedError')
    })

    it('refuses status lists that are unreachable, unsigned, signed by someone else, too large or not a bitstring', async () => {
      const refusal = async (id: string, url: string): Promise<{ name: string, message: string }> => {
        const r = await post(`${t.url}/v1/self-descriptions`, await withStatus(id, [statusEntry(url, 1)]))
        assert.equal(r.status, 400, JSON.stringify(r.body))
        return r.body.error
      }
      const missing = await refusal('https://lp.example/sl-missing', listUrl('nowhere'))
      assert.equal(missing.name, 'StatusListError')
      assert.match(missing.message, /404/)
      web.serve('/status/unsigned', JSON.stringify({ '@context': [VC2_CONTEXT], type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: issuer.did, credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA' } }))
      assert.match((await refusal('https://lp.example/sl-unsigned', listUrl('unsigned'))).message, /unsigned/)
      await serveList('by-other', 'revocation', [], other)
      assert.match((await refusal('https://lp.example/sl-other', listUrl('by-other'))).message, /issued by .*other/)
      web.serve('/status/huge', 'x'.repeat(300 * 1024), 'application/vc+jwt')
      assert.match((await refusal('https://lp.example/sl-huge', listUrl('huge'))).message, /bytes/)
      web.serve('/status/not-bits', await signJws({ '@context': [VC2_CONTEXT], type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: issuer.did, validFrom: new Date().toISOString(), credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'u' + Buffer.from('not gzip at all').toString('base64url') } }, issuer.key, { typ: 'vc+ld+json+jwt' }), 'application/vc+jwt')
      assert.match((await refusal('https://lp.example/sl-not-bits', listUrl('not-bits'))).message, /GZIP/)
      assert.equal((await get(`${t.url}/v1/status`)).status, 200)
    })

    it('marks a stored credential revoked when its bit flips, on two nodes alike, and a suspension back to active', async () => {
      const second = await startTestNode({ node: { resolver: createDidResolver({ originOverrides: [web.override] }), statusRecheckMs: 0 } })
      try {
        await serveList('rev-flip', 'revocation', [])
        await serveList('sus-flip', 'suspension', [])
        const revocable = await withStatus('https://lp.example/flip-revoked', [statusEntry(listUrl('rev-flip'), 42)])
        const suspendable = await withStatus('https://lp.example/flip-suspended', [statusEntry(listUrl('sus-flip'), 42, 'suspension')])
        const cids: string[] = []
        for (const node of [t, second]) {
          for (const jws of [revocable, suspendable]) {
            const r = await post(`${node.url}/v1/self-descriptions`, jws)
            assert.equal(r.status, 201)
            cids.push(r.body.cid)
          }
        }
        const statusOf = async (node: TestNode, cid: string): Promise<string> => (await get(`${node.url}/v1/self-descriptions/${cid}`)).body.status

        await serveList('rev-flip', 'revocation', [42])
        await serveList('sus-flip', 'suspension', [42])
        for (const node of [t, second]) {
          const result = await node.node.recheckStatusLists()
          assert.ok(result.changed >= 2, JSON.stringify(result))
          assert.equal(await statusOf(node, cids[0]), 'revoked')
          assert.equal(await statusOf(node, cids[1]), 'suspended')
          const listed = await get(`${node.url}/v1/self-descriptions?q=provider&limit=1000`)
          assert.ok(!listed.body.items.some((i: any) => i.cid === cids[0] || i.cid === cids[1]))
        }
        await serveList('sus-flip', 'suspension', [])
        for (const node of [t, second]) {
          await node.node.recheckStatusLists()
          assert.equal(await statusOf(node, cids[0]), 'revoked')
          assert.equal(await statusOf(node, cids[1]), 'active')
        }
      } finally {
        await second.destroy()
      }
    })

    it('re-checks on its own timer', async () => {
      const timed = await startTestNode({ node: { resolver: createDidResolver({ originOverrides: [web.override] }), statusRecheckMs: 100 } })
      try {
        await serveList('rev-timer', 'revocation', [])
        const r = await post(`${timed.url}/v1/self-descriptions`, await withStatus('https://lp.example/timer', [statusEntry(listUrl('rev-timer'), 5)]))
        assert.equal(r.status, 201)
        const changed = new Promise<void>(resolve => { timed.node.addEventListener('version:status', () => { resolve() }, { once: true }) })
        await serveList('rev-timer', 'revocation', [5])
        await Promise.race([changed, new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('no re-check within 5 s')) }, 5000))])
        assert.equal((await get(`${timed.url}/v1/self-descriptions/${r.body.cid}`)).body.status, 'revoked')
      } finally {
        await timed.destroy()
      }
    })
  })
})
