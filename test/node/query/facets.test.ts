/**
 * What a searcher reads beside the results: facets counted within the search (the listing's
 * filters), issuers by the legal name of their own gx:LegalPerson, and a warning where a type
 * names nothing known. Over HTTP and the typed client, against a real node.
 */
import assert from 'node:assert/strict'
import { createCatalogueClient } from '../../../client/index.ts'
import { didOf, generateIssuerKey, payloadOfVerifiedJws, signCredential, signRevocation } from '../../../protocols/self-description/index.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { get, post, startTestNode, type TestNode } from '../../fixtures/node.ts'
import { legalPerson2511, serviceOffering, serviceOffering2511 } from '../../fixtures/subjects.ts'

describe('facets within a search, and issuer names', function () {
  this.timeout(60_000)
  let t: TestNode
  const acme = generateIssuerKey()
  const other = generateIssuerKey()
  const notary = generateIssuerKey()

  const publish = async (jws: string): Promise<void> => {
    const r = await post(`${t.url}/v1/self-descriptions`, jws)
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
  const offering = (id: string, name: string, keywords: string[]): Record<string, unknown> => ({ ...serviceOffering(id), 'schema:name': name, 'gx:keyword': keywords })

  before(async () => {
    t = await startTestNode()
    await publish(await signCredential(offering('https://acme.example/s/1', 'Cold archive', ['storage', 'archive']), acme))
    await publish(await signCredential(offering('https://acme.example/s/2', 'Hot archive', ['storage']), acme))
    await publish(await signCredential(offering('https://acme.example/s/3', 'GPU compute', ['compute']), acme))
    await publish(await signCredential(offering('https://other.example/s/1', 'Archive box', ['storage']), other))
    await publish(await signCredential(serviceOffering2511('https://other.example/s/2511'), other, { vocabulary: '2511' }))
    // acme's own LegalPerson (development vocabulary's shapes are the 2511 ones' twins)
    await publish(await signCredential({ ...legalPerson2511('https://acme.example/legal-person'), 'schema:name': 'ACME Cloud SE' }, acme, { vocabulary: '2511' }))
    // a notary that issued LegalPersons for two others: neither is its own name
    await publish(await signCredential({ ...legalPerson2511('https://x.example/lp'), 'schema:name': 'X GmbH' }, notary, { vocabulary: '2511' }))
    await publish(await signCredential({ ...legalPerson2511('https://y.example/lp'), 'schema:name': 'Y GmbH' }, notary, { vocabulary: '2511' }))
  })

  after(async () => {
    await t?.destroy()
  })

  it('counts every current entry without filters', async () => {
    const { body } = await get(`${t.url}/v1/facets`)
    assert.equal(body.entries, 8)
    assert.deepEqual(body.types.map((c: any) => [c.value, c.count]), [['gx:ServiceOffering', 5], ['gx:LegalPerson', 3]])
  })

  it('counts within the listing\'s filters: words, type, issuer, property values', async () => {
    const storage = (await get(`${t.url}/v1/facets?q=archive`)).body
    const listed = (await get(`${t.url}/v1/self-descriptions?q=archive`)).body.items
    assert.equal(storage.entries, listed.length)
    assert.equal(storage.entries, 3)
    assert.deepEqual(storage.issuers.map((c: any) => [c.value, c.count]), [[didOf(acme.kid), 2], [didOf(other.kid), 1]])
    assert.deepEqual(storage.keywords.map((c: any) => [c.value, c.count]), [['storage', 3], ['archive', 1]])

    const acmeOfferings = (await get(`${t.url}/v1/facets?issuer=${encodeURIComponent(didOf(acme.kid))}&type=gx:ServiceOffering`)).body
    assert.equal(acmeOfferings.entries, 3)
    assert.deepEqual(acmeOfferings.keywords.map((c: any) => [c.value, c.count]), [['storage', 2], ['archive', 1], ['compute', 1]])

    const byKeyword = (await get(`${t.url}/v1/facets?where=${encodeURIComponent('gx:keyword=compute')}`)).body
    assert.deepEqual([byKeyword.entries, byKeyword.issuers.map((c: any) => c.value)], [1, [didOf(acme.kid)]])

    const none = (await get(`${t.url}/v1/facets?q=archive&type=gx:LegalPerson`)).body
    assert.deepEqual([none.entries, none.types, none.issuers, none.keywords], [0, [], [], []])
  })

  it('follows what is revoked', async () => {
    assert.equal((await post(`${t.url}/v1/revocations`, await signRevocation('https://acme.example/s/2', acme), 'text/plain')).status, 201)
    const storage = (await get(`${t.url}/v1/facets?q=archive`)).body
    assert.equal(storage.entries, 2)
    assert.deepEqual(new Map(storage.issuers.map((c: any) => [c.value, c.count])), new Map([[didOf(acme.kid), 1], [didOf(other.kid), 1]]))
  })

  it('names an issuer by its own LegalPerson, in lists, entries, facets and the client', async () => {
    const client = createCatalogueClient({ url: t.url })
    const page = await client.list({ issuer: didOf(acme.kid) })
    assert.ok(page.items.length > 0)
    assert.ok(page.items.every(i => i.issuerName === 'ACME Cloud SE'))
    const entry = await client.getEntry(didOf(acme.kid), 'https://acme.example/s/1')
    assert.equal(entry.issuerName, 'ACME Cloud SE')
    const facets = await client.facets({ q: 'archive' })
    assert.deepEqual(new Map(facets.issuers.map(c => [c.value, c.name ?? null])), new Map([[didOf(acme.kid), 'ACME Cloud SE'], [didOf(other.kid), null]]))
    // a participant as Tagus described it: gx:LegalParticipant with gx:legalName
    const [participant] = await generateJws(1, { seed: 5 })
    await publish(participant)
    const tagus = payloadOfVerifiedJws(participant)
    assert.equal((await client.getEntry(String(tagus.issuer), String((tagus.credentialSubject as any).id))).issuerName, (tagus.credentialSubject as any)['gx:legalName'])
    // an issuer of several LegalPersons about others has none of them as its name
    const byNotary = await client.list({ issuer: didOf(notary.kid) })
    assert.ok(byNotary.items.every(i => i.issuerName == null))
  })

  it('warns where the type names nothing known, with the nearest known types', async () => {
    const typo = (await get(`${t.url}/v1/self-descriptions?type=gx:ServiceOfering`)).body
    assert.deepEqual(typo.items, [])
    assert.match(typo.warning, /^type "gx:ServiceOfering" is no Gaia-X class and no current entry's type; did you mean gx:ServiceOffering\?$/)
    assert.match((await get(`${t.url}/v1/facets?type=foo:Bar`)).body.warning, /"foo:" is no prefix a filter reads/)
    for (const known of ['gx:ServiceOffering', 'https://w3id.org/gaia-x/2511#ServiceOffering', 'gx:DataProduct']) {
      assert.equal((await get(`${t.url}/v1/self-descriptions?type=${encodeURIComponent(known)}`)).body.warning, undefined, known)
    }
  })
})
