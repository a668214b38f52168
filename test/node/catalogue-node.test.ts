import assert from 'node:assert/strict'
import type { Quad } from 'n3'
import { isomorphic } from 'rdf-isomorphic'
import { MemoryLevel } from 'memory-level'
import { createCatalogueNode } from '../../node/catalogue-node.ts'
import type { Database } from '../../node/store/catalogue-store.ts'
import { createDidResolver, didOf, generateIssuerKey, signCredential, signRevocation, type IssuerKey } from '../../protocols/self-description/index.ts'
import { generateJws } from '../../simulations/generator.ts'
import { legalPerson2511, serviceOffering } from '../fixtures/subjects.ts'
import { get, post, startTestNode, tempDir, type TestNode } from '../fixtures/node.ts'
import { b64u, decodePart } from '../fixtures/jws.ts'
import { ALL_QUADS, quadsOfBindings } from '../fixtures/sparql-quads.ts'

/** Every quad of a node's SPARQL index, with its graph, as RDF/JS quads (blank nodes compared by structure). */
const allQuads = async (url: string): Promise<Quad[]> => {
  const r = await post(`${url}/v1/sparql`, ALL_QUADS, 'application/sparql-query')
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return quadsOfBindings(r.body)
}

const sparqlCount = async (url: string, where: string): Promise<number> => {
  const r = await post(`${url}/v1/sparql`, `SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ${where} }`, 'application/sparql-query')
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return Number(r.body.results.bindings[0].n.value)
}

describe('catalogue node over HTTP', function () {
  this.timeout(120_000)
  let t: TestNode
  let key: IssuerKey
  let issuer: string
  const generated: string[] = []

  before(async () => {
    t = await startTestNode()
    key = generateIssuerKey()
    issuer = didOf(key.kid)
    generated.push(...await generateJws(60, { seed: 11 }))
  })

  after(async () => { await t.destroy() })

  it('publishes a self-description and serves it by CID and by entry', async () => {
    const jws = await signCredential(serviceOffering(), key, { validFrom: '2026-01-01T00:00:00Z' })
    const r = await post(`${t.url}/v1/self-descriptions`, jws)
    assert.equal(r.status, 201)
    assert.equal(r.body.status, 'active')
    assert.match(r.body.cid, /^bafkrei/)
    const byCid = await get(`${t.url}/v1/self-descriptions/${r.body.cid}`)
    assert.equal(byCid.status, 200)
    assert.equal(byCid.body.jws, jws)
    assert.equal(byCid.body.credential.credentialSubject.id, 'https://provider.example/services/demo')
    const byEntry = await get(`${t.url}/v1/entries/${encodeURIComponent(issuer)}/${encodeURIComponent('https://provider.example/services/demo')}`)
    assert.equal(byEntry.status, 200)
    assert.equal(byEntry.body.cid, r.body.cid)
    const again = await post(`${t.url}/v1/self-descriptions`, jws)
    assert.equal(again.status, 200)
    assert.equal(again.body.status, 'duplicate')
  })

  it('lists by type, issuer, text and property, with stable cursors', async () => {
    const results = await Promise.all(generated.map(async j => post(`${t.url}/v1/self-descriptions`, j, 'application/vc+ld+json+jwt')))
    assert.ok(results.every(r => r.status === 201), JSON.stringify(results.find(r => r.status !== 201)?.body))
    const services = generated.map(j => decodePart(j, 1)).filter(c => c.credentialSubject.type === 'gx:ServiceOffering')

    const seen: string[] = []
    let cursor = ''
    let pages = 0
    do {
      const page = await get(`${t.url}/v1/self-descriptions?type=gx:ServiceOffering&limit=4${cursor !== '' ? `&cursor=${cursor}` : ''}`)
      assert.equal(page.status, 200)
      seen.push(...page.body.items.map((i: any) => i.subject))
      cursor = page.body.next ?? ''
      pages++
    } while (cursor !== '' && pages < 100)
    assert.equal(seen.length, services.length + 1) // + the demo offering
    assert.equal(new Set(seen).size, seen.length)

    const first = decodePart(generated[0], 1)
    const byIssuer = await get(`${t.url}/v1/self-descriptions?issuer=${encodeURIComponent(first.issuer)}&limit=1000`)
    assert.ok(byIssuer.body.items.length > 1)
    assert.ok(byIssuer.body.items.every((i: any) => i.issuer === first.issuer))

    const word = String(services[0].credentialSubject['schema:name']).split(' ')[0].toLowerCase()
    const byText = await get(`${t.url}/v1/self-descriptions?q=${encodeURIComponent(`${word} api`)}`)
    assert.ok(byText.body.items.length > 0)
    for (const item of byText.body.items) assert.match(JSON.stringify(item.credential.credentialSubject).toLowerCase(), new RegExp(word))

    const hash = services[0].credentialSubject['gx:serviceOfferingTermsAndConditions']['gx:hash']
    const byProperty = await get(`${t.url}/v1/self-descriptions?where=${encodeURIComponent(`gx:hash=${hash}`)}&limit=1000`)
    assert.equal(byProperty.body.items.length, services.filter(s => s.credentialSubject['gx:serviceOfferingTermsAndConditions']['gx:hash'] === hash).length)

    const combined = await get(`${t.url}/v1/self-descriptions?type=gx:DataResource&issuer=${encodeURIComponent(first.issuer)}`)
    assert.ok(combined.body.items.every((i: any) => i.types.includes('gx:DataResource') && i.issuer === first.issuer))
  })

  it('matches gx:LegalPerson in either vocabulary by its short name', async () => {
    const r = await post(`${t.url}/v1/self-descriptions`, await signCredential(legalPerson2511(), key, { vocabulary: '2511' }))
    assert.equal(r.status, 201)
    const page = await get(`${t.url}/v1/self-descriptions?type=gx:LegalPerson`)
    assert.equal(page.body.items.length, 1)
    const byIri = await get(`${t.url}/v1/self-descriptions?type=${encodeURIComponent('https://w3id.org/gaia-x/2511#LegalPerson')}`)
    assert.equal(byIri.body.items.length, 1)
  })

  it('answers SPARQL SELECT and COUNT over the stored credentials', async () => {
    const participants = generated.filter(j => decodePart(j, 1).credentialSubject.type === 'gx:LegalParticipant').length
    assert.equal(await sparqlCount(t.url, '?s a <https://w3id.org/gaia-x/development#LegalParticipant>'), participants)
    const select = await post(`${t.url}/v1/sparql`, 'PREFIX gx: <https://w3id.org/gaia-x/development#> SELECT ?name WHERE { ?s a gx:ServiceOffering ; <https://schema.org/name> ?name } ORDER BY ?name LIMIT 3', 'application/sparql-query')
    assert.equal(select.status, 200)
    assert.deepEqual(select.body.head.vars, ['name'])
    assert.equal(select.body.results.bindings.length, 3)
    const credentials = await sparqlCount(t.url, '?s a <https://www.w3.org/2018/credentials#VerifiableCredential>')
    assert.equal(credentials, generated.length + 2)
  })

  it('replaces an entry with a newer version everywhere and ignores a stale one', async () => {
    const older = await signCredential({ ...serviceOffering('https://provider.example/services/v'), 'schema:name': 'Old name' }, key, { validFrom: '2026-01-01T00:00:00Z' })
    const newer = await signCredential({ ...serviceOffering('https://provider.example/services/v'), 'schema:name': 'New name' }, key, { validFrom: '2026-02-01T00:00:00Z' })
    const a = await post(`${t.url}/v1/self-descriptions`, older)
    const b = await post(`${t.url}/v1/self-descriptions`, newer)
    assert.equal(b.status, 201)
    assert.equal(b.body.supersedes, a.body.cid)
    const stale = await post(`${t.url}/v1/self-descriptions`, older)
    assert.equal(stale.status, 200)
    assert.equal(stale.body.status, 'stale')
    const evenOlder = await signCredential(serviceOffering('https://provider.example/services/v'), key, { validFrom: '2025-06-01T00:00:00Z' })
    assert.equal((await post(`${t.url}/v1/self-descriptions`, evenOlder)).body.status, 'stale')

    const entry = await get(`${t.url}/v1/entries/${encodeURIComponent(issuer)}/${encodeURIComponent('https://provider.example/services/v')}`)
    assert.equal(entry.body.cid, b.body.cid)
    assert.equal((await get(`${t.url}/v1/self-descriptions/${a.body.cid}`)).body.status, 'superseded')
    assert.equal((await get(`${t.url}/v1/self-descriptions?q=old%20name`)).body.items.length, 0)
    assert.equal((await get(`${t.url}/v1/self-descriptions?q=new%20name`)).body.items.length, 1)
    assert.equal(await sparqlCount(t.url, '?s <https://schema.org/name> "Old name"'), 0)
    assert.equal(await sparqlCount(t.url, '?s <https://schema.org/name> "New name"'), 1)
    const history = await get(`${t.url}/v1/self-descriptions?status=all&issuer=${encodeURIComponent(issuer)}&limit=1000`)
    assert.ok(history.body.items.some((i: any) => i.cid === a.body.cid && i.status === 'superseded'))
  })

  it('revokes an entry for good', async () => {
    const subject = 'https://provider.example/services/revoked'
    const published = await post(`${t.url}/v1/self-descriptions`, await signCredential(serviceOffering(subject), key, { validFrom: '2026-01-01T00:00:00Z' }))
    const forged = await post(`${t.url}/v1/revocations`, await signRevocation(subject, generateIssuerKey(), { issuer }), 'text/plain')
    assert.equal(forged.status, 400)
    assert.equal(forged.body.error.name, 'RevocationIssuerMismatchError')
    const r = await post(`${t.url}/v1/revocations`, await signRevocation(subject, key), 'text/plain')
    assert.equal(r.status, 201)
    assert.equal(r.body.revokedVersion, published.body.cid)
    const entry = await get(`${t.url}/v1/entries/${encodeURIComponent(issuer)}/${encodeURIComponent(subject)}`)
    assert.equal(entry.body.status, 'revoked')
    assert.equal(entry.body.revocation.signer, issuer)
    assert.equal((await get(`${t.url}/v1/self-descriptions?q=revoked`)).body.items.length, 0)
    assert.equal(await sparqlCount(t.url, `<${subject}> ?p ?o`), 0)
    const newer = await post(`${t.url}/v1/self-descriptions`, await signCredential(serviceOffering(subject), key, { validFrom: '2026-03-01T00:00:00Z' }))
    assert.equal(newer.status, 409)
    assert.equal(newer.body.error.name, 'EntryRevokedError')
    const status = await get(`${t.url}/v1/status`)
    assert.equal(status.body.revoked, 1)
  })

  describe('bad input', () => {
    it('answers 400 with a named error and stores nothing', async () => {
      const before = (await get(`${t.url}/v1/status`)).body.versions
      const jws = await signCredential(serviceOffering('https://provider.example/bad'), key)
      const [h, p, s] = jws.split('.')
      const payload = decodePart(jws, 1)
      payload.credentialSubject['gx:name'] = 'tampered'
      const cases: Array<[string, string]> = [
        ['not a jws', 'InvalidEnvelopeError'],
        [`${h}.${b64u(payload)}.${s}`, 'InvalidSignatureError'],
        [`${b64u({ ...decodePart(jws, 0), alg: 'none' })}.${p}.`, 'UnsupportedAlgorithmError'],
        [JSON.stringify({ '@context': ['https://www.w3.org/2018/credentials/v1'], proof: {} }), 'UnsupportedFormatError']
      ]
      for (const [body, name] of cases) {
        const r = await post(`${t.url}/v1/self-descriptions`, body, 'text/plain')
        assert.equal(r.status, 400, body)
        assert.equal(r.body.error.name, name)
        assert.equal(typeof r.body.error.message, 'string')
      }
      assert.equal((await get(`${t.url}/v1/status`)).body.versions, before)
    })

    it('answers 413 for oversized bodies before parsing them', async () => {
      const r = await post(`${t.url}/v1/self-descriptions`, 'x'.repeat(5 * 1024 * 1024), 'application/vc+jwt')
      assert.equal(r.status, 413)
      assert.equal(r.body.error.name, 'PayloadTooLargeError')
    })

    it('answers 400 for malformed SPARQL and refuses updates', async () => {
      const bad = await post(`${t.url}/v1/sparql`, 'SELEKT ?s WHERE { ?s ?p ?o }', 'application/sparql-query')
      assert.equal(bad.status, 400)
      assert.equal(bad.body.error.name, 'InvalidQueryError')
      for (const update of ['INSERT DATA { <urn:a> <urn:b> <urn:c> }', 'PREFIX x: <urn:x#> DELETE WHERE { ?s ?p ?o }', 'DROP ALL']) {
        const r = await post(`${t.url}/v1/sparql`, update, 'application/sparql-query')
        assert.equal(r.status, 400)
        assert.equal(r.body.error.name, 'ReadOnlyQueryError')
      }
    })

    it('answers 404 with the error shape for unknown things', async () => {
      const r = await get(`${t.url}/v1/self-descriptions/bafkreinothere`)
      assert.equal(r.status, 404)
      assert.equal(r.body.error.name, 'NotFoundError')
      assert.equal((await get(`${t.url}/v1/nothing`)).body.error.name, 'NotFoundError')
      assert.equal((await get(`${t.url}/v1/self-descriptions?cursor=zzz`)).body.error.name, 'InvalidQueryError')
    })
  })

  it('serves OpenAPI, metrics and status', async () => {
    const openapi = await get(`${t.url}/openapi.json`)
    assert.equal(openapi.body.openapi, '3.1.0')
    assert.ok(openapi.body.paths['/v1/sparql'])
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    assert.match(metrics, /gxcat_entries \d+/)
    assert.match(metrics, /gxcat_rejects_total\{reason="RevocationIssuerMismatchError",source="api"\} \d+/)
    assert.match(metrics, /gxcat_query_seconds_bucket/)
    const status = await get(`${t.url}/v1/status`)
    assert.ok(status.body.entries > 60)
    assert.equal(typeof status.body.version, 'string')
    assert.deepEqual(status.body.sparql, { state: 'ready' })
  })

  describe('restart', () => {
    it('keeps everything across a restart', async () => {
      const before = (await get(`${t.url}/v1/status`)).body
      const sparqlBefore = await sparqlCount(t.url, '?s ?p ?o')
      const quadsBefore = await allQuads(t.url)
      await t.stop()
      const again = await startTestNode({ dir: t.dir })
      try {
        const after = (await get(`${again.url}/v1/status`)).body
        assert.equal(after.entries, before.entries)
        assert.equal(after.revoked, before.revoked)
        assert.equal(after.versions, before.versions)
        assert.equal(await sparqlCount(again.url, '?s ?p ?o'), sparqlBefore)
        // the index rebuilt at the start (read on the main thread) holds the very graphs ingest built
        const quadsAfter = await allQuads(again.url)
        assert.equal(quadsAfter.length, quadsBefore.length)
        assert.ok(isomorphic(quadsAfter, quadsBefore), 'the SPARQL index holds other quads after the restart')
        assert.equal((await get(`${again.url}/v1/self-descriptions?q=new%20name`)).body.items.length, 1)
      } finally {
        await again.stop()
      }
    })
  })
})

describe('write token beyond loopback', () => {
  it('refuses writes without the token with 401, and takes them with it', async () => {
    const t = await startTestNode({ http: { token: 'secret-token', requireToken: true } })
    try {
      const jws = (await generateJws(1, { seed: 5 }))[0]
      const without = await post(`${t.url}/v1/self-descriptions`, jws)
      assert.equal(without.status, 401)
      assert.equal(without.body.error.name, 'UnauthorizedError')
      const wrong = await post(`${t.url}/v1/self-descriptions`, jws, 'application/vc+jwt', { authorization: 'Bearer nope' })
      assert.equal(wrong.status, 401)
      const right = await post(`${t.url}/v1/self-descriptions`, jws, 'application/vc+jwt', { authorization: 'Bearer secret-token' })
      assert.equal(right.status, 201)
      assert.equal((await get(`${t.url}/v1/self-descriptions`)).status, 200)
      // validation is costly work: beyond loopback it needs the token too
      assert.equal((await post(`${t.url}/v1/validate`, jws)).status, 401)
      assert.equal((await post(`${t.url}/v1/validate`, jws, 'application/vc+jwt', { authorization: 'Bearer secret-token' })).status, 200)
    } finally {
      await t.destroy()
    }
  })
})

describe('a store that fails', () => {
  it('gives a clear 5xx, never a half-written entry', async () => {
    const t = await startTestNode()
    try {
      await t.node.store.close() // the database goes away under the node
      const r = await post(`${t.url}/v1/self-descriptions`, (await generateJws(1, { seed: 6 }))[0])
      assert.equal(r.status, 503)
      assert.equal(r.body.error.name, 'StoreError')
      const list = await get(`${t.url}/v1/self-descriptions`)
      assert.equal(list.status, 503)
    } finally {
      // the store is gone already: the rest of the node (its SPARQL worker) still stops
      await t.stop().catch(() => {})
    }
  })
})

describe('facets', () => {
  it('counts current entries by type, issuer and keyword, through new versions, revocations and a restart', async function () {
    this.timeout(60_000)
    const t = await startTestNode()
    try {
      const a = generateIssuerKey()
      const b = generateIssuerKey()
      const so = (id: string, keywords: string[], day = 1): Record<string, any> => ({ ...serviceOffering(`https://so.example/${id}`), 'gx:keyword': keywords, validFrom: day })
      const publish = async (subject: Record<string, any>, key: IssuerKey): Promise<void> => {
        const { validFrom, ...rest } = subject
        const r = await post(`${t.url}/v1/self-descriptions`, await signCredential(rest, key, { validFrom: `2026-01-0${validFrom ?? 1}T00:00:00Z` }))
        assert.equal(r.status, 201, JSON.stringify(r.body))
      }
      await publish(so('one', ['energy', 'storage']), a)
      await publish(so('two', ['energy']), a)
      await publish(so('three', []), a)
      await publish({ ...legalPerson2511('https://lp.example/b') }, b)
      const facets = async (): Promise<any> => (await get(`${t.url}/v1/facets?limit=5`)).body
      const count = (list: any[], value: string): number => list.find(f => f.value === value)?.count ?? 0
      let f = await facets()
      assert.equal(f.entries, 4)
      assert.equal(count(f.types, 'gx:ServiceOffering'), 3)
      assert.equal(count(f.types, 'gx:LegalPerson'), 1)
      assert.equal(count(f.issuers, didOf(a.kid)), 3)
      assert.equal(count(f.issuers, didOf(b.kid)), 1)
      assert.deepEqual(f.keywords, [{ value: 'energy', count: 2 }, { value: 'storage', count: 1 }])

      await publish(so('one', ['storage'], 2), a) // a new version moves the keywords
      assert.equal(((await post(`${t.url}/v1/revocations`, await signRevocation('https://so.example/two', a), 'text/plain')).status), 201)
      f = await facets()
      assert.equal(count(f.types, 'gx:ServiceOffering'), 2)
      assert.deepEqual(f.keywords, [{ value: 'storage', count: 1 }])
      assert.equal(count(f.issuers, didOf(a.kid)), 2)

      await t.stop()
      const again = await startTestNode({ dir: t.dir })
      try {
        const restarted = (await get(`${again.url}/v1/facets?limit=5`)).body
        assert.deepEqual(restarted, f)
        assert.equal((await get(`${again.url}/v1/facets?limit=0`)).status, 400)
      } finally {
        await again.stop()
      }
    } finally {
      await t.destroy()
    }
  })
})

describe('one version from several sources at once', () => {
  it('is verified once: the first stores it, the others share its outcome as duplicates', async () => {
    const resolver = createDidResolver()
    let keyLookups = 0
    const counting = { ...resolver, importKey: async (...args: Parameters<typeof resolver.importKey>) => { keyLookups++; return resolver.importKey(...args) } }
    const node = createCatalogueNode({ db: new MemoryLevel<string, any>({ valueEncoding: 'json' }) as unknown as Database, rdfWorker: false, resolver: counting })
    await node.start()
    try {
      const [jws, bad] = await generateJws(2, { seed: 91 })
      const forged = `${bad.slice(0, bad.lastIndexOf('.'))}.${Buffer.alloc(64).toString('base64url')}`
      const results = await Promise.all(Array.from({ length: 5 }, async (_, i) => node.publish(jws, { source: i === 0 ? 'api' : 'sync' })))
      assert.deepEqual(results.map(r => r.status).sort(), ['active', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
      assert.equal(new Set(results.map(r => r.cid)).size, 1)
      assert.equal(keyLookups, 1, 'verified once')
      // a refusal is shared alike
      const refusals = await Promise.allSettled(Array.from({ length: 3 }, async () => node.publish(forged)))
      assert.deepEqual(refusals.map(r => r.status === 'rejected' ? r.reason.name : r.status), ['InvalidSignatureError', 'InvalidSignatureError', 'InvalidSignatureError'])
      assert.equal(keyLookups, 2)
      // once it is stored and active, a later copy is known without verifying it again
      const again = await node.publish(jws)
      assert.deepEqual({ ...again, supersedes: undefined }, { ...results.find(r => r.status === 'active'), status: 'duplicate', supersedes: undefined })
      assert.equal(keyLookups, 2)
      assert.match(await node.metrics.registry.metrics(), /gxcat_ingests_total\{status="duplicate",source="sync"\} 4/)
      assert.match(await node.metrics.registry.metrics(), /gxcat_ingests_total\{status="duplicate",source="api"\} 1/)
    } finally {
      await node.stop()
    }
  })
})

describe('SPARQL status', () => {
  it('says the index is being rebuilt after a start, with how far, until SPARQL answers for every entry', async () => {
    const dir = await tempDir()
    const first = createCatalogueNode({ dataDir: dir })
    await first.start()
    for (const jws of await generateJws(30, { seed: 93 })) await first.publish(jws)
    await first.sparql('ASK { ?s ?p ?o }') // the worker has started and loaded what there was (nothing)
    assert.deepEqual(first.sparqlStatus(), { state: 'ready' })
    await first.stop()
    const again = createCatalogueNode({ dataDir: dir })
    await again.start()
    const rebuilt = new Promise<{ entries: number, ms: number }>(resolve => { again.addEventListener('sparql:rebuilt', e => { resolve(e.detail) }, { once: true }) })
    try {
      assert.deepEqual(again.sparqlStatus(), { state: 'rebuilding', loaded: 0, total: 30 })
      // a query meanwhile waits for the rebuild (up to SPARQL_LOAD_WAIT_MS) and sees every entry
      const answer = JSON.parse((await again.sparql('SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }')).body)
      assert.equal(Number(answer.results.bindings[0].n.value), 30)
      assert.deepEqual(again.sparqlStatus(), { state: 'ready' })
      assert.equal((await rebuilt).entries, 30)
    } finally {
      await again.stop()
    }
    const without = createCatalogueNode({ dataDir: dir, sparql: false })
    await without.start()
    assert.deepEqual(without.sparqlStatus(), { state: 'off' })
    await without.stop()
  })
})
