/**
 * Real Gaia-X credentials through a node under trust policy `anchors`: an issuer stack made here
 * (root CA → intermediate → leaf), did:web documents and chains served by a local HTTP server
 * reached through an origin override, Loire VC-JWTs and a VP-JWT, the official 2511 shapes.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { VC2_CONTEXT } from '../../protocols/constants.ts'
import { repairStore } from '../../node/store/repair.ts'
import { createDidResolver, createTrustPolicy, signJws } from '../../protocols/self-description/index.ts'
import {
  createGaiaxIssuer, createIntermediateCa, createRootCa, generateSigningJwk, startDidWebHost,
  type CertificateAuthority, type DidWebHost, type GaiaxIssuer
} from '../fixtures/gaia-x-issuer.ts'
import { get, post, startTestNode, tempDir, type TestNode } from '../fixtures/node.ts'
import { legalPerson2511, serviceOffering2511 } from '../fixtures/subjects.ts'

const DAY = 24 * 3600 * 1000
const LOIRE = 'application/vc+ld+json+jwt'

describe('Gaia-X Loire credentials under trust policy anchors', function () {
  this.timeout(60_000)
  let web: DidWebHost
  let root: CertificateAuthority
  let intermediate: CertificateAuthority
  let psIssuer: GaiaxIssuer
  let esIssuer: GaiaxIssuer
  let t: TestNode

  before(async () => {
    web = await startDidWebHost()
    root = await createRootCa('Test Gaia-X Trust Anchor')
    intermediate = await createIntermediateCa('Test Notary CA', root)
    psIssuer = await createGaiaxIssuer(web, { alg: 'PS256', name: 'provider-ps', chain: [intermediate, root] })
    esIssuer = await createGaiaxIssuer(web, { alg: 'ES256', name: 'provider-es', chain: [intermediate, root] })
    t = await startTestNode({
      node: {
        resolver: createDidResolver({ originOverrides: [web.override] }),
        trust: createTrustPolicy({ mode: 'anchors', anchors: [root.pem] })
      }
    })
  })
  after(async () => {
    await t?.destroy()
    await web?.close()
  })

  async function refused (jws: string, name: string, status = 400): Promise<any> {
    const r = await post(`${t.url}/v1/self-descriptions`, jws, LOIRE)
    assert.equal(r.body.error?.name, name, JSON.stringify(r.body))
    assert.equal(r.status, status)
    return r.body.error
  }

  it('accepts a PS256 and an ES256 Loire VC-JWT whose chains end at the anchor', async () => {
    for (const issuer of [psIssuer, esIssuer]) {
      const r = await post(`${t.url}/v1/self-descriptions`, await issuer.issue(legalPerson2511(`https://${issuer.alg}.provider.example/lp`)), LOIRE)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      assert.equal(r.body.status, 'active')
      assert.equal(r.body.issuer, issuer.did)
    }
  })

  it('stores both credentials of a VP-JWT with a LegalPerson and a ServiceOffering', async () => {
    const person = 'https://vp.provider.example/lp'
    const credentials = [
      await psIssuer.issue(legalPerson2511(person)),
      await psIssuer.issue(serviceOffering2511('https://vp.provider.example/storage', person))
    ]
    const vp = await signJws({
      '@context': [VC2_CONTEXT],
      type: ['VerifiablePresentation'],
      holder: psIssuer.did,
      verifiableCredential: credentials.map(jws => ({ '@context': [VC2_CONTEXT], type: 'EnvelopedVerifiableCredential', id: `data:application/vc+ld+json+jwt,${jws}` }))
    }, psIssuer.key, { typ: 'vp+ld+json+jwt', cty: 'vp+ld+json', iss: psIssuer.did })
    const r = await post(`${t.url}/v1/self-descriptions`, vp, 'application/vp+ld+json+jwt')
    assert.equal(r.status, 201, JSON.stringify(r.body))
    assert.deepEqual(r.body.credentials.map((c: any) => c.status), ['active', 'active'])
    for (const c of r.body.credentials) assert.equal((await get(`${t.url}/v1/self-descriptions/${c.cid}`)).status, 200)
    const offerings = await get(`${t.url}/v1/self-descriptions?type=gx:ServiceOffering&issuer=${encodeURIComponent(psIssuer.did)}`)
    assert.equal(offerings.body.items.length, 1)
  })

  it('refuses a chain to another root, an expired leaf and a key mismatch, each by name', async () => {
    const otherRoot = await createRootCa('Someone Else Root')
    const stranger = await createGaiaxIssuer(web, { alg: 'PS256', name: 'stranger', chain: [await createIntermediateCa('Other CA', otherRoot), otherRoot] })
    const error = await refused(await stranger.issue(legalPerson2511('https://stranger.example/lp')), 'UntrustedChainError', 403)
    assert.match(error.message, /Someone Else Root/)
    const expired = await createGaiaxIssuer(web, { alg: 'ES256', name: 'expired', chain: [intermediate, root], validity: { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) } })
    await refused(await expired.issue(legalPerson2511('https://expired.example/lp')), 'ExpiredCertificateError')
    const mismatch = await createGaiaxIssuer(web, { alg: 'PS256', name: 'mismatch', chain: [intermediate, root], certifiedJwk: generateSigningJwk('PS256') })
    await refused(await mismatch.issue(legalPerson2511('https://mismatch.example/lp')), 'KeyMismatchError')
  })

  it('refuses a Gaia-X Tagus credential (VC 1.1 JSON-LD with an embedded proof), naming the format', async () => {
    const tagus = JSON.stringify({
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#'],
      type: ['VerifiableCredential'],
      issuer: psIssuer.did,
      issuanceDate: '2024-01-01T00:00:00Z',
      credentialSubject: { id: 'https://tagus.example/lp', type: 'gx:LegalParticipant' },
      proof: { type: 'JsonWebSignature2020', proofPurpose: 'assertionMethod', verificationMethod: `${psIssuer.did}#key-1`, jws: 'eyJ..x' }
    })
    const r = await post(`${t.url}/v1/self-descriptions`, tagus, 'application/json')
    assert.equal(r.status, 400, JSON.stringify(r.body))
    assert.equal(r.body.error.name, 'UnsupportedFormatError')
    assert.match(r.body.error.message, /Tagus/)
  })

  it('refuses a LegalPerson without registrationNumber and one with a property the closed shape does not allow, listing the violations', async () => {
    const missing = legalPerson2511('https://missing.provider.example/lp')
    delete missing['gx:registrationNumber']
    const error = await refused(await psIssuer.issue(missing), 'ShapeViolationError')
    assert.ok(error.violations.some((v: any) => v.path === 'https://w3id.org/gaia-x/2511#registrationNumber' && v.constraint === 'sh:MinCountConstraintComponent'), JSON.stringify(error.violations))

    const extra = { ...legalPerson2511('https://extra.provider.example/lp'), 'gx:favouriteColour': 'blue' }
    const closed = await refused(await psIssuer.issue(extra), 'ShapeViolationError')
    assert.deepEqual(closed.violations.map((v: any) => [v.path, v.constraint]), [['https://w3id.org/gaia-x/2511#favouriteColour', 'sh:ClosedConstraintComponent']])
  })

  it('POST /v1/validate returns the violations and stores nothing', async () => {
    const missing = legalPerson2511('https://validate.provider.example/lp')
    delete missing['gx:registrationNumber']
    missing['gx:legalAddress']['gx:countryCode'] = 'XX'
    const before = (await get(`${t.url}/v1/status`)).body.entries
    const r = await post(`${t.url}/v1/validate`, await psIssuer.issue(missing), LOIRE)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.conforms, false)
    assert.equal(r.body.signature.valid, true)
    const paths = r.body.violations.map((v: any) => v.path).sort()
    assert.deepEqual(paths, ['https://w3id.org/gaia-x/2511#countryCode', 'https://w3id.org/gaia-x/2511#registrationNumber'])
    const good = await post(`${t.url}/v1/validate`, await psIssuer.issue(legalPerson2511('https://validate.provider.example/good')), LOIRE)
    assert.equal(good.body.conforms, true, JSON.stringify(good.body))
    assert.equal((await get(`${t.url}/v1/status`)).body.entries, before)
  })

  it('SPARQL over https://w3id.org/gaia-x/2511#LegalPerson counts what was stored', async () => {
    const r = await post(`${t.url}/v1/sparql`, 'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/gaia-x/2511#LegalPerson> }', 'application/sparql-query')
    assert.equal(r.status, 200, JSON.stringify(r.body))
    const count = Number(r.body.results.bindings[0].n.value)
    // two from the first test, one from the presentation; nothing refused was stored
    assert.equal(count, 3)
  })

  it('keeps an issuer key\'s certificate chain once for all its versions, and gives it back with each, after a restart and a repair too', async () => {
    const dir = await tempDir()
    const init = { resolver: createDidResolver({ originOverrides: [web.override] }), trust: createTrustPolicy({ mode: 'anchors', anchors: [root.pem] }) }
    let node = await startTestNode({ dir, node: init })
    const cids: string[] = []
    for (let n = 0; n < 3; n++) {
      const r = await post(`${node.url}/v1/self-descriptions`, await psIssuer.issue(legalPerson2511(`https://chains${n}.provider.example/lp`)), LOIRE)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      cids.push(r.body.cid)
    }
    const chainOf = async (url: string, cid: string): Promise<string[]> => (await get(`${url}/v1/self-descriptions/${cid}`)).body.chain?.certificates.map((c: any) => c.subject)
    const expected = ['CN=provider-ps.' + web.host, 'CN=Test Notary CA', 'CN=Test Gaia-X Trust Anchor']
    for (const cid of cids) assert.deepEqual(await chainOf(node.url, cid), expected)
    await node.stop()
    // on disk: the chain once, each record with its reference and without the chain
    const db = new ClassicLevel<string, string>(join(dir, 'store'))
    const chains = await db.sublevel<string, string>('chains', { valueEncoding: 'utf8' }).iterator().all()
    const versions = db.sublevel<string, string>('versions', { valueEncoding: 'utf8' })
    const records = await versions.iterator().all()
    assert.equal(chains.length, 1)
    assert.ok(records.every(([, text]) => JSON.parse(text).chainRef === chains[0][0] && JSON.parse(text).chain == null))
    // a record as gxcat wrote it before, with its chain inline, reads back as it is
    const [cid, text] = records[0]
    const { chainRef: _ref, ...inline } = JSON.parse(text)
    await versions.put(cid, JSON.stringify({ ...inline, chain: JSON.parse(chains[0][1]) }))
    await db.close()
    node = await startTestNode({ dir, node: init })
    for (const cid of cids) assert.deepEqual(await chainOf(node.url, cid), expected)
    await node.stop()
    // a repair rebuilds the store with the chains of the versions it salvages
    await repairStore(dir)
    node = await startTestNode({ dir, node: init })
    try {
      for (const cid of cids) assert.deepEqual(await chainOf(node.url, cid), expected)
    } finally {
      await node.stop()
    }
  })
})
