import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gxcat } from '../../fixtures/cli.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

describe('gxcat keygen, sign, verify', () => {
  let dir: string

  before(async () => { dir = await mkdtemp(join(tmpdir(), 'gxcat-cli-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('keygen → sign → verify round-trips, and one changed payload byte fails with a named error', async () => {
    const keygen = await gxcat(['keygen', '--out', join(dir, 'k.json')])
    assert.equal(keygen.code, 0, keygen.stderr)
    const did = keygen.stdout.trim()
    assert.match(did, /^did:key:z6Mk/)
    assert.equal(JSON.parse(await readFile(join(dir, 'k.json'), 'utf8')).kid.split('#')[0], did)

    await writeFile(join(dir, 'sd.json'), JSON.stringify(serviceOffering()))
    const sign = await gxcat(['sign', '--key', join(dir, 'k.json'), join(dir, 'sd.json')])
    assert.equal(sign.code, 0, sign.stderr)
    const jws = sign.stdout.trim()
    await writeFile(join(dir, 'sd.jwt'), jws)

    const verify = await gxcat(['verify', join(dir, 'sd.jwt')])
    assert.equal(verify.code, 0, verify.stderr)
    const result = JSON.parse(verify.stdout)
    assert.equal(result.valid, true)
    assert.equal(result.issuer, did)
    assert.equal(result.subject, 'https://provider.example/services/demo')
    assert.deepEqual(result.types, ['gx:ServiceOffering'])
    assert.match(result.cid, /^bafkrei/)

    const [h, p, s] = jws.split('.')
    const bytes = Buffer.from(p, 'base64url')
    const at = bytes.indexOf('Demo storage')
    bytes[at] = 'X'.charCodeAt(0)
    const tampered = await gxcat(['verify', '-'], { input: `${h}.${bytes.toString('base64url')}.${s}` })
    assert.equal(tampered.code, 1)
    assert.match(tampered.stderr, /^InvalidSignatureError: /)
    assert.equal(JSON.parse(tampered.stdout).valid, false)
  })

  it('signs with a P-256 key and a given validFrom', async () => {
    await gxcat(['keygen', '--type', 'p256', '--out', join(dir, 'p.json')])
    const sign = await gxcat(['sign', '--key', join(dir, 'p.json'), '--valid-from', '2026-02-01T00:00:00Z', '-'], { input: JSON.stringify(serviceOffering()) })
    assert.equal(sign.code, 0, sign.stderr)
    const verify = await gxcat(['verify', '-'], { input: sign.stdout })
    assert.equal(JSON.parse(verify.stdout).validFrom, '2026-02-01T00:00:00Z')
  })

  it('reports bad input as one line "ErrorName: reason" and a non-zero exit', async () => {
    const notJws = await gxcat(['verify', '-'], { input: 'hello' })
    assert.equal(notJws.code, 1)
    assert.match(notJws.stderr, /^InvalidEnvelopeError: .+\n$/)
    const shape = await gxcat(['sign', '--key', join(dir, 'k.json'), '-'], { input: JSON.stringify({ id: 'https://x.example', type: 'gx:ServiceOffering' }) })
    assert.equal(shape.code, 1)
    assert.match(shape.stderr, /^ShapeViolationError: credentialSubject\.gx:providedBy: needs at least 1 value; /)
    const noKey = await gxcat(['sign', '--key', join(dir, 'missing.json'), join(dir, 'sd.json')])
    assert.match(noKey.stderr, /^UsageError: cannot read/)
    const overwrite = await gxcat(['keygen', '--out', join(dir, 'k.json')])
    assert.match(overwrite.stderr, /^UsageError: .*refusing to overwrite/)
  })

  it('gives third-party credentials the verdict and error name publish and validate give (test/node/third-party-corpus.test.ts)', async () => {
    const corpus = (file: string): string => fileURLToPath(new URL(`../../fixtures/third-party/${file}`, import.meta.url))
    for (const file of ['gaia-x-compliance-service/participant-vp.json', 'w3c-vc-jose-cose/vc-1.1-verifiable-credential.jwt']) {
      const legacy = await gxcat(['verify', corpus(file)])
      assert.equal(legacy.code, 1)
      assert.match(legacy.stderr, /^UnsupportedFormatError: /, file)
    }
    const notary = corpus('gaia-x-go/notary-telekom.jwt')
    const offline = ['--did-web-origin', 'gx-notary.gxdch.dih.telekom.com=http://127.0.0.1:9']
    const now = await gxcat(['verify', ...offline, notary])
    assert.equal(now.code, 1)
    assert.match(now.stderr, /^CredentialExpiredError: /)
    const then = await gxcat(['verify', ...offline, '--at', '2025-03-07T00:00:00Z', notary])
    assert.equal(then.code, 1)
    assert.match(then.stderr, /^DidResolutionError: /)
    const badAt = await gxcat(['verify', '--at', 'soon', notary])
    assert.match(badAt.stderr, /^UsageError: --at/)
  })

  it('has --help for every command', async () => {
    for (const command of ['keygen', 'sign', 'verify']) {
      const help = await gxcat([command, '--help'])
      assert.equal(help.code, 0)
      assert.match(help.stdout, new RegExp(`Usage: gxcat ${command}`))
    }
  })
})
