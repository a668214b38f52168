/**
 * The trust lists a participant takes in from files with `gxcat trust import` (real ETSI TS 119
 * 612 trusted lists, PEM, the Gaia-X registry's DID lists), and a node started with them: its
 * anchors decide what `--trust anchors` stores, its compliance issuers' labels count, a revoked
 * issuer is refused, and `/v1/status` and `gxcat trust list` say what is in force.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { didOf, generateIssuerKey, signCredential } from '../../protocols/self-description/index.ts'
import { gxcat } from '../fixtures/cli.ts'
import { startCliNode } from '../fixtures/cli-node.ts'
import { signLabel } from '../fixtures/compliance.ts'
import { createGaiaxIssuer, createRootCa, startDidWebHost } from '../fixtures/gaia-x-issuer.ts'
import { get, post, tempDir } from '../fixtures/node.ts'
import { legalPerson2511, serviceOffering } from '../fixtures/subjects.ts'

const list = (name: string): string => fileURLToPath(new URL(`../fixtures/third-party/trust-lists/${name}`, import.meta.url))

describe('trust lists', function () {
  this.timeout(90_000)

  it('imports an EU trusted list\'s CA certificates in force, and refuses what is not a trusted list by name', async () => {
    const dir = await tempDir()
    const uninitialised = await gxcat(['trust', 'import', '--data', join(dir, 'none'), list('EE_T-CA-withdrawn.xml')])
    assert.notEqual(uninitialised.code, 0)
    assert.match(uninitialised.stderr, /ConfigError: .* has no config\.json; run gxcat init/)
    assert.equal((await gxcat(['init', '--data', dir])).code, 0)
    const imported = await gxcat(['trust', 'import', '--data', dir, list('EE_T-CA-withdrawn.xml')])
    assert.equal(imported.code, 0, imported.stderr)
    assert.match(imported.stdout, /15 anchors \(EE:Supervision\/Accreditation Status List of test certification services\), etsi-ts-119-612/)
    const refusals: Array<[string, RegExp]> = [
      ['TSL.xml', /InvalidTrustListError: .*list of trusted lists/],
      ['xml-bomb-cont.xml', /InvalidTrustListError: .*DOCTYPE/],
      ['FIDES-TL.xml', /InvalidTrustListError: .*not well-formed XML: .*:94:/]
    ]
    for (const [name, message] of refusals) {
      const refused = await gxcat(['trust', 'import', '--data', dir, list(name)])
      assert.notEqual(refused.code, 0, name)
      assert.match(refused.stderr, message)
    }
    const dids = join(dir, 'complianceIssuers.json')
    await writeFile(dids, '["did:web:compliance.gaia-x.eu"]')
    const unsaid = await gxcat(['trust', 'import', '--data', dir, dids])
    assert.notEqual(unsaid.code, 0)
    assert.match(unsaid.stderr, /--kind compliance-issuers or --kind revoked-issuers/)
    const inForce = JSON.parse((await gxcat(['trust', 'list', '--data', dir])).stdout)
    assert.equal(inForce.anchors.imported, 15)
    assert.deepEqual(inForce.lists.map((l: any) => [l.kind, l.source, l.count]), [['anchors', 'EE_T-CA-withdrawn.xml', 15]])
  })

  it('starts a node with the imported lists in force: anchors, compliance issuers and revoked issuers', async () => {
    const dir = await tempDir()
    assert.equal((await gxcat(['init', '--data', dir])).code, 0)
    const web = await startDidWebHost('lists.gaiax.test')
    const root = await createRootCa('Imported Root CA')
    const stranger = await createRootCa('Unlisted Root CA')
    const listed = await createGaiaxIssuer(web, { alg: 'ES256', name: 'listed', chain: [root] })
    const unlisted = await createGaiaxIssuer(web, { alg: 'ES256', name: 'unlisted', chain: [stranger] })
    const clearingHouse = generateIssuerKey()
    const revoked = generateIssuerKey()
    await writeFile(join(dir, 'anchors.pem'), root.pem)
    await writeFile(join(dir, 'complianceIssuers.json'), JSON.stringify([didOf(clearingHouse.kid)]))
    await writeFile(join(dir, 'revokedIssuers.json'), JSON.stringify([didOf(revoked.kid)]))
    for (const args of [['anchors.pem'], ['--kind', 'compliance-issuers', 'complianceIssuers.json'], ['--kind', 'revoked-issuers', 'revokedIssuers.json']]) {
      const imported = await gxcat(['trust', 'import', '--data', dir, ...args.map(a => a.endsWith('.pem') || a.endsWith('.json') ? join(dir, a) : a)])
      assert.equal(imported.code, 0, imported.stderr)
    }
    const node = await startCliNode(dir, ['--trust', 'anchors', '--trust-issuer', didOf(clearingHouse.kid), '--did-web-origin', web.override])
    try {
      const status = (await get(`${node.url}/v1/status`)).body
      assert.equal(status.trust.mode, 'anchors')
      assert.equal(status.trust.anchors, 1)
      assert.equal(status.trust.revokedIssuers, 1)
      assert.deepEqual(status.trust.complianceIssuers, [didOf(clearingHouse.kid)])
      assert.deepEqual(status.trust.lists.map((l: any) => [l.kind, l.source, l.count, typeof l.importedAt]), [
        ['anchors', 'anchors.pem', 1, 'string'], ['compliance-issuers', 'complianceIssuers.json', 1, 'string'], ['revoked-issuers', 'revokedIssuers.json', 1, 'string']
      ])

      const chained = await listed.issue(legalPerson2511('https://listed.example/legal-person'))
      assert.equal((await post(`${node.url}/v1/self-descriptions`, chained)).status, 201)
      const refused = await post(`${node.url}/v1/self-descriptions`, await unlisted.issue(legalPerson2511('https://unlisted.example/legal-person')))
      assert.equal(refused.status, 403)
      assert.equal(refused.body.error.name, 'UntrustedChainError')

      const revokedAnswer = await post(`${node.url}/v1/self-descriptions`, await signCredential(serviceOffering('https://revoked.example/service'), revoked))
      assert.equal(revokedAnswer.status, 403)
      assert.equal(revokedAnswer.body.error.name, 'UntrustedIssuerError')
      assert.match(revokedAnswer.body.error.message, /revoked-issuers list/)

      assert.equal((await post(`${node.url}/v1/self-descriptions`, await signLabel(clearingHouse, { level: 'L1', covers: [{ jws: chained }], vocabulary: '2511' }))).status, 201)
      const entry = (await get(`${node.url}/v1/entries/${encodeURIComponent(listed.did)}/${encodeURIComponent('https://listed.example/legal-person')}`)).body
      assert.equal(entry.compliance.label, 'L1')
    } finally {
      await node.stop()
      await web.close()
    }
    const saved = JSON.parse(await readFile(join(dir, 'trust-lists.json'), 'utf8'))
    assert.equal(saved.lists.length, 3)
  })
})
