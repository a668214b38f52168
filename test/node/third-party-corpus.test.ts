/**
 * Credentials and shape test data written by others (test/fixtures/third-party/SOURCES.md),
 * judged by a real node through its HTTP API as a participant would submit them: each item's
 * verdict on publishing, on validation now, and (for expired notary credentials) on validation
 * as of a time when they were valid. The notaries' DID hosts are answered by a local server that
 * has no document for them (their DID documents are not published anywhere this test can reach).
 * The Eclipse XFSC test issuer `did:web:did-server` is answered with its published DID document,
 * less the x5u that names an RSA chain for every key (SOURCES.md); as published, its Ed25519
 * key is refused with KeyMismatchError, which a test of its own shows.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startDidWebHost, type DidWebHost } from '../fixtures/gaia-x-issuer.ts'
import { post, startTestNode, type TestNode } from '../fixtures/node.ts'

interface ValidateVerdict {
  error?: string
  conforms?: boolean
  signature?: string
  constraints?: string[]
  paths?: string[]
}

interface CorpusItem {
  file: string
  publish: string
  validate: ValidateVerdict
  at?: string
  validateAt?: ValidateVerdict
}

const base = new URL('../fixtures/third-party/', import.meta.url)
const items: CorpusItem[] = JSON.parse(readFileSync(new URL('verdicts.json', base), 'utf8'))
const NOTARY_HOSTS = ['gx-notary.gxdch.dih.telekom.com', 'registrationnumber.notary.lab.gaia-x.eu', 'www.delta-dao.com']

function contentTypeOf (file: string): string {
  return file.endsWith('.json') || file.endsWith('.jsonld') ? 'application/ld+json' : 'application/vc+ld+jwt'
}

/** The error name(s) a publish answer carries: the refusal, or each credential's refusal. */
function publishErrors (answer: { status: number, body: any }): string[] {
  if (answer.status >= 400) return [answer.body.error.name]
  return (answer.body.credentials ?? []).map((c: any) => c.error?.name ?? c.status)
}

function assertVerdict (item: CorpusItem, answer: { status: number, body: any }, expected: ValidateVerdict): void {
  const label = `${item.file}: ${JSON.stringify(answer.body).slice(0, 400)}`
  if (expected.error != null) {
    assert.equal(answer.status, 400, label)
    assert.equal(answer.body.error.name, expected.error, label)
    return
  }
  assert.equal(answer.status, 200, label)
  assert.equal(answer.body.conforms, expected.conforms, label)
  const reports = answer.body.credentials ?? [answer.body]
  if (expected.signature === 'valid') assert.ok(reports.every((r: any) => r.signature?.valid === true), label)
  else if (expected.signature != null) {
    assert.ok(reports.every((r: any) => r.signature?.valid === false && r.signature.error.name === expected.signature), label)
  }
  const violations: any[] = answer.body.violations
  if (expected.conforms === true) assert.deepEqual(violations, [], label)
  if (expected.constraints != null) assert.deepEqual([...new Set(violations.map(v => v.constraint))].sort(), [...expected.constraints].sort(), label)
  if (expected.paths != null) assert.deepEqual([...new Set(violations.map(v => v.path))].sort(), [...expected.paths].sort(), label)
}

describe('third-party Gaia-X credentials and shape test data', function () {
  this.timeout(60_000)
  let t: TestNode
  let notaries: DidWebHost
  let xfsc: DidWebHost

  before(async () => {
    notaries = await startDidWebHost(NOTARY_HOSTS[0])
    xfsc = await startDidWebHost('did-server')
    const published = JSON.parse(readFileSync(new URL('xfsc-federated-catalogue/did-server.did.json', base), 'utf8'))
    for (const method of published.verificationMethod) delete method.publicKeyJwk.x5u
    xfsc.serve('/.well-known/did.json', JSON.stringify(published))
    t = await startTestNode({ node: { didWebOrigins: [...NOTARY_HOSTS.map(host => `${host}=${notaries.url}`), xfsc.override] } })
  })

  after(async () => {
    await t?.destroy()
    await notaries?.close()
    await xfsc?.close()
  })

  it('refuses the XFSC test issuer\'s Ed25519 key as its DID document publishes it: its x5u chain certifies an RSA key', async () => {
    const host = await startDidWebHost('did-server')
    host.serve('/.well-known/did.json', readFileSync(new URL('xfsc-federated-catalogue/did-server.did.json', base), 'utf8'))
    host.serve('/certs/chain.pem', readFileSync(new URL('xfsc-federated-catalogue/did-server.chain.pem', base), 'utf8'), 'application/x-pem-file')
    const node = await startTestNode({ node: { didWebOrigins: [host.override] } })
    try {
      const answer = await post(`${node.url}/v1/self-descriptions`, readFileSync(new URL('xfsc-cat-integration-tests/participant.vc2.signed.jwt', base), 'utf8'))
      assert.equal(answer.status, 400)
      assert.equal(answer.body.error.name, 'KeyMismatchError')
    } finally {
      await node.destroy()
      await host.close()
    }
  })

  it('holds at least 20 items, each with its source', () => {
    const sources = readFileSync(new URL('SOURCES.md', base), 'utf8')
    assert.ok(items.length >= 20)
    for (const item of items) assert.ok(sources.includes(item.file), `${item.file} is listed in SOURCES.md`)
  })

  for (const item of items) {
    it(`judges ${item.file}`, async () => {
      const body = readFileSync(new URL(item.file, base), 'utf8')
      const published = await post(`${t.url}/v1/self-descriptions`, body, contentTypeOf(item.file))
      const names = publishErrors(published)
      assert.ok(names.length > 0 && names.every(n => n === item.publish), `${item.file} published: ${JSON.stringify(published.body).slice(0, 400)}`)
      assertVerdict(item, await post(`${t.url}/v1/validate`, body, contentTypeOf(item.file)), item.validate)
      if (item.validateAt != null) {
        assertVerdict(item, await post(`${t.url}/v1/validate?at=${encodeURIComponent(item.at ?? '')}`, body, contentTypeOf(item.file)), item.validateAt)
      }
    })
  }

  it('stored none of them', async () => {
    const status = await (await fetch(`${t.url}/v1/status`)).json()
    assert.equal(status.entries, 0)
  })

  it('asked each notary host for its DID document (the at-verdicts reached the key, past format, dates and shapes)', () => {
    assert.ok((notaries.hits.get('/v2/did.json') ?? 0) >= 1)
    assert.ok((notaries.hits.get('/main/did.json') ?? 0) >= 1)
    assert.ok((notaries.hits.get('/notary/v2/did.json') ?? 0) >= 1)
  })
})
