import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CLIENT_ROUTES, createCatalogueClient, NodeError, type CatalogueClient, type Item, type PublishResult } from '../../client/index.ts'
import { generateIssuerKey, didOf, signCredential, signRevocation } from '../../protocols/self-description/index.ts'
import { startCliNode, type CliNode } from '../fixtures/cli-node.ts'
import { tempDir } from '../fixtures/node.ts'
import { serviceOffering } from '../fixtures/subjects.ts'
import { waitFor } from '../fixtures/wait.ts'

const key = generateIssuerKey()
const issuer = didOf(key.kid)
const subject = (n: number): string => `https://provider.example/services/client-${n}`
const offering = async (n: number, name = `Client storage ${n}`, day = 1): Promise<string> =>
  signCredential({ ...serviceOffering(subject(n)), 'schema:name': name }, key, { validFrom: `2026-01-0${day}T00:00:00Z` })

describe('gxcat/client against a real node', function () {
  this.timeout(60_000)
  let dir: string
  let node: CliNode
  let peer: CliNode
  let client: CatalogueClient
  const published: PublishResult[] = []
  const signed: string[] = []

  before(async () => {
    dir = await tempDir()
    node = await startCliNode(join(dir, 'a'), ['--listen', '/ip4/127.0.0.1/tcp/0'])
    client = createCatalogueClient({ url: node.url })
    for (let n = 1; n <= 7; n++) {
      signed.push(await offering(n))
      published.push(await client.publish(signed[n - 1]) as PublishResult)
    }
  })

  after(async () => {
    await Promise.all([node?.stop(), peer?.stop()])
    await rm(dir, { recursive: true, force: true })
  })

  it('calls every route of the node\'s OpenAPI document', async () => {
    const document = await client.openApi() as { paths: Record<string, Record<string, unknown>> }
    const served = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`)).sort()
    assert.deepEqual([...CLIENT_ROUTES].sort(), served)
  })

  it('gets answers whose fields are the ones the OpenAPI document declares', async () => {
    const document = await client.openApi() as { components: { schemas: { Item: { properties: Record<string, unknown> } } } }
    const declared = new Set(Object.keys(document.components.schemas.Item.properties))
    const listed = (await client.list({ limit: 2 })).items
    for (const item of listed) assert.deepEqual(Object.keys(item).filter(key => !declared.has(key)), [], 'every field of a listed item is declared')
    for (const key of ['cid', 'entry', 'issuer', 'subject', 'types', 'validFrom', 'status', 'credential'] satisfies Array<keyof Item>) {
      assert.ok(declared.has(key), `the client's Item.${key} is in the document`)
      assert.ok(key in listed[0], `the node answers Item.${key}`)
    }
  })

  it('publishes, reads by CID and by entry, and lists with filters', async () => {
    assert.deepEqual(published.map(p => p.status), Array(7).fill('active'))
    assert.equal((await client.publish(signed[0]) as PublishResult).status, 'duplicate')

    const version = await client.getVersion(published[0].cid)
    assert.equal(version.subject, subject(1))
    assert.equal(version.status, 'active')
    assert.match(version.jws, /^ey/)

    const entry = await client.getEntry(issuer, subject(2))
    assert.equal(entry.cid, published[1].cid)
    assert.deepEqual(entry.versions, [{ cid: published[1].cid, validFrom: entry.validFrom, status: 'active' }])
    assert.deepEqual(entry.trust, { mode: 'open' })

    const page = await client.list({ type: 'gx:ServiceOffering', q: 'storage', where: [['gx:keyword', 'storage']], limit: 50 })
    assert.equal(page.items.length, 7)
    assert.equal(page.next, null)
    assert.deepEqual((await client.list({ issuer: 'did:key:nobody' })).items, [])
  })

  it('follows cursors page by page', async () => {
    const first = await client.list({ limit: 3 })
    assert.equal(first.items.length, 3)
    assert.ok(first.next != null)
    const all = []
    for await (const item of client.listAll({ limit: 3 })) all.push(item.cid)
    assert.equal(all.length, 7)
    assert.deepEqual(new Set(all), new Set(published.map(p => p.cid)))
  })

  it('answers SPARQL as JSON or as text, facets, status and metrics', async () => {
    const results = await client.sparql('SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://w3id.org/gaia-x/development#ServiceOffering> }')
    assert.equal(results.results?.bindings[0].n.value, '7')
    const csv = await client.sparqlText('SELECT ?s WHERE { ?s a <https://w3id.org/gaia-x/development#ServiceOffering> } LIMIT 2', 'text/csv', { get: true })
    assert.match(csv, /^s\r?\n/)
    const facets = await client.facets({ limit: 5 })
    assert.deepEqual(facets.types, [{ value: 'gx:ServiceOffering', count: 7 }])
    assert.equal(facets.issuers[0].value, issuer)
    const status = await client.status()
    assert.equal(status.entries, 7)
    assert.match(status.peerId ?? '', /^12D3/)
    assert.match(await client.metrics(), /gxcat_/)
    const history = await client.history()
    assert.equal(history.intervalMs, 60_000)
    assert.ok(history.points.length >= 2, 'the sample at start and the one taken now')
    assert.equal(history.points.at(-1)?.entries, 7)
  })

  it('validates without storing, and revokes', async () => {
    const report = await client.validate(await offering(99))
    assert.equal(report.conforms, true)
    assert.equal(report.signature?.valid, true)
    const graph = await client.validate({ '@context': 'https://w3id.org/gaia-x/development#', '@id': 'https://x.example/s', '@type': 'ServiceOffering' })
    assert.equal(graph.conforms, false)
    assert.ok(graph.violations.length > 0)
    assert.equal((await client.list({ q: 'client', limit: 50 })).items.length, 7)

    const revoked = await client.revoke(await signRevocation(subject(7), key))
    assert.equal(revoked.status, 'revoked')
    assert.equal(revoked.revokedVersion, published[6].cid)
    const entry = await client.getEntry(issuer, subject(7))
    assert.equal(entry.status, 'revoked')
    assert.equal(entry.revocation?.signer, issuer)
  })

  it('syncs with a peer, and lists peers', async () => {
    await assert.rejects(client.sync(), (err: NodeError) => err.name === 'NotFoundError' && err.status === 404)
    const status = await client.status()
    peer = await startCliNode(join(dir, 'b'), ['--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', `${status.addrs[0]}`])
    await waitFor(async () => (await client.peers()).length > 0, 20_000, 'the peer to connect')
    const [connected] = await client.peers()
    assert.match(connected.peerId, /^12D3/)
    const report = await client.sync({ peer: connected.peerId })
    assert.equal(report.peer, connected.peerId)
    assert.ok(report.rounds >= 1)
    const other = createCatalogueClient({ url: peer.url })
    await waitFor(async () => (await other.status()).entries === 6, 20_000, 'the peer to hold every active entry')
  })

  it('gives the node\'s errors their names, and honours AbortSignal', async () => {
    await assert.rejects(client.publish('not a jws'), (err: NodeError) => err instanceof NodeError && err.name === 'InvalidEnvelopeError' && err.status === 400)
    await assert.rejects(client.getVersion('bafkreinotthere'), (err: NodeError) => err.status === 404 && err.name === 'NotFoundError')
    await assert.rejects(client.list({ limit: 0 }), { name: 'InvalidQueryError' })
    await assert.rejects(client.facets({ limit: 100_000 }), { name: 'InvalidQueryError' })
    await assert.rejects(client.sparql('INSERT DATA { <a:b> <a:c> <a:d> }'), { name: 'ReadOnlyQueryError' })
    await assert.rejects(client.sparql('SELECT WHERE {'), { name: 'InvalidQueryError' })

    const controller = new AbortController()
    controller.abort(new Error('stopped by the app'))
    await assert.rejects(client.status({ signal: controller.signal }), /stopped by the app/)
    await assert.rejects(createCatalogueClient({ url: 'http://127.0.0.1:9' }).status(), { name: 'NodeUnreachableError' })
  })
})
