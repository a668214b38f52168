import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import {
  createDidResolver, createTrustPolicy, generateIssuerKey, signCredential, summarizeChain, verifyCredential
} from '../../../protocols/self-description/index.ts'
import {
  createGaiaxIssuer, createIntermediateCa, createRootCa, generateSigningJwk, startDidWebHost,
  type CertificateAuthority, type DidWebHost
} from '../../fixtures/gaia-x-issuer.ts'
import { legalPerson2511, serviceOffering } from '../../fixtures/subjects.ts'

const DAY = 24 * 3600 * 1000

describe('did:web keys with x5u certificate chains', function () {
  this.timeout(30_000)
  let web: DidWebHost
  let root: CertificateAuthority
  let intermediate: CertificateAuthority
  let otherRoot: CertificateAuthority

  before(async () => {
    web = await startDidWebHost()
    root = await createRootCa('Test Gaia-X Trust Anchor')
    intermediate = await createIntermediateCa('Test Notary CA', root)
    otherRoot = await createRootCa('Someone Else Root')
  })
  after(async () => { await web.close() })

  const resolver = (): ReturnType<typeof createDidResolver> => createDidResolver({ originOverrides: [web.override] })

  for (const alg of ['PS256', 'ES256'] as const) {
    it(`verifies a Loire ${alg} VC-JWT, checks its chain and trusts it under a root or intermediate anchor`, async () => {
      const issuer = await createGaiaxIssuer(web, { alg, name: `good-${alg}`, chain: [intermediate, root] })
      const verified = await verifyCredential(await issuer.issue(legalPerson2511(`https://${alg}.example/lp`)), { resolver: resolver() })
      assert.equal(verified.issuer, issuer.did)
      assert.equal(verified.chain?.certificates.length, 3)
      assert.deepEqual(summarizeChain(verified.chain!).map(c => c.subject), [`CN=good-${alg}.${web.host}`, 'CN=Test Notary CA', 'CN=Test Gaia-X Trust Anchor'])
      createTrustPolicy({ mode: 'anchors', anchors: [root.pem] }).assertTrusted(verified)
      createTrustPolicy({ mode: 'anchors', anchors: [intermediate.pem] }).assertTrusted(verified)
      assert.throws(() => { createTrustPolicy({ mode: 'anchors', anchors: [otherRoot.pem] }).assertTrusted(verified) }, { name: 'UntrustedChainError' })
    })
  }

  it('trusts a chain that stops below the anchor when its last certificate is issued by the anchor', async () => {
    const issuer = await createGaiaxIssuer(web, { alg: 'ES256', name: 'no-root', chain: [intermediate] })
    const verified = await verifyCredential(await issuer.issue(legalPerson2511('https://no-root.example/lp')), { resolver: resolver() })
    assert.equal(verified.chain?.certificates.length, 2)
    const policy = createTrustPolicy({ mode: 'anchors', anchors: [root.pem] })
    // the second judgement of the same chain comes from memory, and says the same
    for (let i = 0; i < 2; i++) {
      policy.assertTrusted(verified)
      assert.equal(policy.anchorOf(verified.chain!)?.fingerprint256, new X509Certificate(root.pem).fingerprint256)
    }
    // another policy judges the same chain on its own anchors
    assert.throws(() => { createTrustPolicy({ mode: 'anchors', anchors: [otherRoot.pem] }).assertTrusted(verified) }, { name: 'UntrustedChainError' })
  })

  it('refuses an expired and a not-yet-valid leaf certificate', async () => {
    const expired = await createGaiaxIssuer(web, { alg: 'ES256', name: 'expired', chain: [intermediate, root], validity: { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) } })
    await assert.rejects(verifyCredential(await expired.issue(legalPerson2511('https://expired.example/lp')), { resolver: resolver() }), { name: 'ExpiredCertificateError' })
    const early = await createGaiaxIssuer(web, { alg: 'ES256', name: 'early', chain: [intermediate, root], validity: { notBefore: new Date(Date.now() + DAY) } })
    await assert.rejects(verifyCredential(await early.issue(legalPerson2511('https://early.example/lp')), { resolver: resolver() }), { name: 'CertificateNotYetValidError' })
  })

  it('refuses a leaf certificate that certifies another key than the DID document\'s', async () => {
    const issuer = await createGaiaxIssuer(web, { alg: 'PS256', name: 'mismatch', chain: [intermediate, root], certifiedJwk: generateSigningJwk('PS256') })
    await assert.rejects(verifyCredential(await issuer.issue(legalPerson2511('https://mismatch.example/lp')), { resolver: resolver() }), { name: 'KeyMismatchError' })
  })

  it('refuses a broken chain, a chain with a non-CA issuer, and a chain that is not PEM', async () => {
    const broken = await createGaiaxIssuer(web, { alg: 'ES256', name: 'broken', chain: [otherRoot, root] })
    await assert.rejects(verifyCredential(await broken.issue(legalPerson2511('https://broken.example/lp')), { resolver: resolver() }), { name: 'CertificateChainError', message: /broken/ })
    const garbage = await createGaiaxIssuer(web, { alg: 'ES256', name: 'garbage', chain: [intermediate, root] })
    web.serve('/participants/garbage/chain.pem', 'not a certificate', 'text/plain')
    await assert.rejects(verifyCredential(await garbage.issue(legalPerson2511('https://garbage.example/lp')), { resolver: resolver() }), { name: 'CertificateChainError', message: /no PEM certificate/ })
  })

  it('names a chain that cannot be fetched a DidResolutionError, as an unreachable DID document is', async () => {
    const issuer = await createGaiaxIssuer(web, { alg: 'ES256', name: 'no-chain', chain: [intermediate, root] })
    web.serve('/participants/no-chain/chain.pem', '', 'text/plain')
    const document = JSON.parse(await (await fetch(`${web.url}/participants/no-chain/did.json`)).text())
    document.verificationMethod[0].publicKeyJwk.x5u = `https://${web.host}/participants/no-chain/missing.pem`
    web.serve('/participants/no-chain/did.json', JSON.stringify(document))
    await assert.rejects(verifyCredential(await issuer.issue(legalPerson2511('https://no-chain.example/lp')), { resolver: resolver() }), { name: 'DidResolutionError', message: /certificate chain .* answered HTTP 404/ })
  })

  it('refuses an x5u that is not HTTPS when its host is not overridden', async () => {
    const issuer = await createGaiaxIssuer(web, { alg: 'ES256', name: 'plain-http', chain: [intermediate, root] })
    const document = JSON.parse(await (await fetch(`${web.url}/participants/plain-http/did.json`)).text())
    document.verificationMethod[0].publicKeyJwk.x5u = 'http://elsewhere.example/chain.pem'
    web.serve('/participants/plain-http/did.json', JSON.stringify(document))
    await assert.rejects(verifyCredential(await issuer.issue(legalPerson2511('https://plain.example/lp')), { resolver: resolver() }), { name: 'CertificateChainError', message: /not an HTTPS URL/ })
  })

  it('fetches a DID document and its chain once for many credentials', async () => {
    const issuer = await createGaiaxIssuer(web, { alg: 'PS256', name: 'cached', chain: [intermediate, root] })
    const r = resolver()
    await Promise.all(Array.from({ length: 20 }, async (_, i) => verifyCredential(await issuer.issue(legalPerson2511(`https://cached.example/lp/${i}`)), { resolver: r })))
    assert.equal(web.hits.get('/participants/cached/did.json'), 1)
    assert.equal(web.hits.get('/participants/cached/chain.pem'), 1)
  })

  it('under anchors, trusts a listed issuer without a chain and refuses an unlisted one', async () => {
    const key = generateIssuerKey()
    const verified = await verifyCredential(await signCredential(legalPerson2511('https://didkey.example/lp'), key, { vocabulary: '2511' }), { resolver: resolver() })
    createTrustPolicy({ mode: 'anchors', anchors: [root.pem], issuers: [verified.issuer] }).assertTrusted(verified)
    assert.throws(() => { createTrustPolicy({ mode: 'anchors', anchors: [root.pem] }).assertTrusted(verified) }, { name: 'UntrustedIssuerError' })
    createTrustPolicy().assertTrusted(verified)
  })

  it('a DID host that never answers delays only its own issuers', async () => {
    const { createServer } = await import('node:http')
    const silent = createServer(() => {})
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    try {
      const r = createDidResolver({ originOverrides: [`slow.example=http://127.0.0.1:${(silent.address() as any).port}`], timeoutMs: 3000 })
      const slowIssuer = await createGaiaxIssuer({ ...web, host: 'slow.example' }, { alg: 'ES256', name: 'slow', chain: [intermediate, root] })
      const slow = verifyCredential(await slowIssuer.issue(legalPerson2511('https://slow.example/lp')), { resolver: r })
      const started = Date.now()
      const fast = await verifyCredential(await signCredential(serviceOffering('https://fast.example/so'), generateIssuerKey()), { resolver: r })
      assert.ok(Date.now() - started < 2000, 'a did:key credential waited for the silent host')
      assert.ok(fast.cid)
      await assert.rejects(slow, { name: 'DidResolutionError' })
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })
})
