import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gxcat } from '../../fixtures/cli.ts'
import { createGaiaxIssuer, createIntermediateCa, createRootCa, startDidWebHost, type DidWebHost } from '../../fixtures/gaia-x-issuer.ts'
import { legalPerson2511 } from '../../fixtures/subjects.ts'

describe('gxcat verify of a Loire credential with a trust anchor', function () {
  this.timeout(60_000)
  let dir: string
  let web: DidWebHost

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gxcat-cli-chain-'))
    web = await startDidWebHost()
  })
  after(async () => {
    await web.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints the chain it checked and the anchor it ends at; another anchor fails with exit 1', async () => {
    const root = await createRootCa('CLI Trust Anchor')
    const issuer = await createGaiaxIssuer(web, { alg: 'PS256', name: 'cli', chain: [await createIntermediateCa('CLI Notary', root), root] })
    await writeFile(join(dir, 'lp.jwt'), await issuer.issue(legalPerson2511('https://cli.provider.example/lp')))
    await writeFile(join(dir, 'root.pem'), root.pem)
    const ok = await gxcat(['verify', '--did-web-origin', web.override, '--trust-anchor', join(dir, 'root.pem'), join(dir, 'lp.jwt')])
    assert.equal(ok.code, 0, ok.stderr + ok.stdout)
    const result = JSON.parse(ok.stdout)
    assert.equal(result.valid, true)
    assert.equal(result.issuer, issuer.did)
    assert.deepEqual(result.chain.map((c: any) => c.subject), [`CN=cli.${web.host}`, 'CN=CLI Notary', 'CN=CLI Trust Anchor'])
    assert.deepEqual(result.trust, { policy: 'anchors', anchor: 'CN=CLI Trust Anchor' })

    const other = await createRootCa('Other Anchor')
    await writeFile(join(dir, 'other.pem'), other.pem)
    const refused = await gxcat(['verify', '--did-web-origin', web.override, '--trust-anchor', join(dir, 'other.pem'), join(dir, 'lp.jwt')])
    assert.equal(refused.code, 1)
    const failure = JSON.parse(refused.stdout)
    assert.equal(failure.error.name, 'UntrustedChainError')
    assert.equal(failure.chain.length, 3)
  })
})
