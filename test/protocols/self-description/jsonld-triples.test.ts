import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { DataFactory, Parser, type Quad } from 'n3'
import oxigraph from 'oxigraph'
import { isomorphic } from 'rdf-isomorphic'
import { GX_2511, GX_DEVELOPMENT, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { inlineContexts, nQuadsOf, payloadOfVerifiedJws, subjectsOf, triplesOf, type RdfTriple } from '../../../protocols/self-description/index.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { legalPerson2511, serviceOffering, serviceOffering2511 } from '../../fixtures/subjects.ts'

const THIRD_PARTY = new URL('../../fixtures/third-party/', import.meta.url)

/** What Oxigraph's JSON-LD parser makes of the nodes, with the same bundled contexts inlined. */
function oxigraphQuads (context: unknown, nodes: unknown[]): Quad[] {
  const store = new oxigraph.Store()
  store.load(JSON.stringify({ '@context': inlineContexts({ '@context': context })['@context'], '@graph': nodes }), { format: 'application/ld+json' })
  return new Parser({ format: 'N-Quads' }).parse(store.dump({ format: 'application/n-quads' }))
}

/** The triples through an Oxigraph store too, which writes typed literals in canonical form. */
function directQuads (triples: RdfTriple[]): Quad[] {
  const store = new oxigraph.Store()
  store.load(nQuadsOf(triples, 'urn:test:graph'), { format: 'application/n-quads' })
  return new Parser({ format: 'N-Quads' }).parse(store.dump({ format: 'application/n-quads', from_graph_name: oxigraph.namedNode('urn:test:graph') }))
    .map(q => DataFactory.quad(q.subject, q.predicate, q.object))
}

/** Reads the nodes both ways: true when read directly (and then the same), false when left to Oxigraph. */
function readsAlike (context: unknown, nodes: unknown[], what: string): boolean {
  const triples = triplesOf(context, nodes)
  if (triples == null) return false
  const expected = oxigraphQuads(context, nodes)
  const actual = directQuads(triples)
  assert.ok(isomorphic(actual, expected), `${what}: read directly as\n${actual.map(q => `${q.subject.value} ${q.predicate.value} ${q.object.value}`).sort().join('\n')}\nbut Oxigraph reads\n${expected.map(q => `${q.subject.value} ${q.predicate.value} ${q.object.value}`).sort().join('\n')}`)
  return true
}

/** Both graphs gxcat builds of a credential: its subjects (shapes) and the whole credential (SPARQL). */
function credentialReadsAlike (credential: Record<string, unknown>, what: string): boolean {
  const { '@context': context, ...body } = credential
  const subjects = readsAlike(context, subjectsOf(body), `${what} (subjects)`)
  const whole = readsAlike(context, [{ ...body, credentialSubject: subjectsOf(body) }], `${what} (credential)`)
  assert.equal(subjects, whole, `${what}: read directly in one graph but not in the other`)
  return whole
}

function * credentialsIn (value: unknown): Generator<Record<string, unknown>> {
  if (value == null || typeof value !== 'object') return
  if (Array.isArray(value)) {
    for (const item of value) yield * credentialsIn(item)
    return
  }
  const map = value as Record<string, unknown>
  if (map['@context'] != null && map.credentialSubject != null) yield map
  for (const item of Object.values(map)) yield * credentialsIn(item)
}

/** Every credential in the third-party fixtures, from JSON-LD files and from the payloads of JWTs. */
function thirdPartyCredentials (): Array<{ file: string, credential: Record<string, unknown> }> {
  const out: Array<{ file: string, credential: Record<string, unknown> }> = []
  for (const folder of readdirSync(THIRD_PARTY, { withFileTypes: true }).filter(e => e.isDirectory())) {
    for (const name of readdirSync(new URL(`${folder.name}/`, THIRD_PARTY))) {
      // trust lists and certificate chains hold no credential
      if (!/\.(jsonld|json|jwt|jose)$/.test(name)) continue
      const file = `${folder.name}/${name}`
      const text = readFileSync(new URL(file, THIRD_PARTY), 'utf8').trim()
      const documents = /\.json(ld)?$/.test(name)
        ? [JSON.parse(text)]
        : text.split(/\s+/).map(jwt => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString() || 'null'))
      for (const credential of credentialsIn(documents)) out.push({ file, credential })
    }
  }
  return out
}

const credential = (context: string, subject: Record<string, unknown>, type: string[] = ['VerifiableCredential']): Record<string, unknown> => ({
  '@context': [VC2_CONTEXT, context],
  id: 'urn:uuid:8d1c4ad2-0f43-4c56-9d0b-4d6f7c1e2a3b',
  type,
  issuer: 'did:web:provider.example',
  validFrom: '2026-01-01T00:00:00.000Z',
  credentialSubject: subject
})

describe('JSON-LD → RDF with the bundled contexts\' term maps', function () {
  this.timeout(60_000)

  it('reads generated development credentials directly, as Oxigraph reads them', async () => {
    for (const [i, jws] of (await generateJws(150, { seed: 5 })).entries()) {
      assert.ok(credentialReadsAlike(payloadOfVerifiedJws(jws), `generated credential ${i}`), `generated credential ${i} was left to Oxigraph`)
    }
  })

  it('reads Gaia-X 2511 and development credentials, typed on the subject or on the credential, as Oxigraph does', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['2511 LegalPerson', credential(GX_2511, legalPerson2511())],
      ['2511 ServiceOffering', credential(GX_2511, serviceOffering2511())],
      ['development ServiceOffering', credential(GX_DEVELOPMENT, serviceOffering())],
      ['type on the credential only', credential(GX_2511, { ...legalPerson2511(), type: undefined }, ['VerifiableCredential', 'gx:LegalPerson'])]
    ]
    for (const [what, document] of cases) assert.ok(credentialReadsAlike(document, what), `${what} was left to Oxigraph`)
  })

  it('reads every third-party credential it takes exactly as Oxigraph does (notary VC-JWTs and XFSC fixtures directly)', () => {
    const direct = new Set<string>()
    for (const { file, credential } of thirdPartyCredentials()) {
      if (credentialReadsAlike(credential, file)) direct.add(file)
    }
    for (const file of ['gaia-x-go/notary-telekom.jwt', 'gaia-x-go/notary-deltadao.jwt', 'xfsc-federated-catalogue/loire_legalPerson_valid.jsonld', 'xfsc-federated-catalogue/participantVC2.jsonld']) {
      assert.ok(direct.has(file), `${file} was left to Oxigraph`)
    }
  })

  it('applies type-scoped contexts to their node only, property-scoped and embedded contexts to what they hold', () => {
    const subject = {
      id: 'https://provider.example/availability',
      type: 'Availability', // its scoped context makes `metric` an IRI here…
      metric: 'https://metrics.example/uptime',
      'gx:part': { id: 'https://provider.example/part', metric: 'https://metrics.example/plain' }, // …and a string in a nested node
      region: { meaning: 'https://regions.example/ES-MD', text: 'ES-MD', description: 'Madrid' }, // `meaning` aliases @id there
      'gx:note': { '@context': { ex: 'https://example.org/ns#' }, 'ex:said': 'hello', 'ex:when': { '@value': '2026-01-01', '@type': 'xsd:date' } }
    }
    assert.ok(readsAlike([VC2_CONTEXT, GX_2511], [subject], 'scoped contexts'), 'scoped contexts were left to Oxigraph')
    const triples = triplesOf([VC2_CONTEXT, GX_2511], [subject]) ?? []
    const metric = (s: string): unknown => triples.find(t => t.subject === s && t.predicate === `${GX_2511}metric`)?.object
    assert.equal(metric('https://provider.example/availability'), 'https://metrics.example/uptime')
    assert.deepEqual(metric('https://provider.example/part'), { value: 'https://metrics.example/plain', datatype: 'http://www.w3.org/2001/XMLSchema#string' })
  })

  it('writes a triple once however often the document states it', () => {
    const subject = { id: 'https://provider.example/lp', type: ['gx:LegalPerson', 'LegalPerson'], 'gx:keyword': ['a', 'a', 'b'], keyword: 'b' }
    const triples = triplesOf([VC2_CONTEXT, GX_2511], [subject]) ?? []
    assert.equal(triples.length, 3)
    assert.ok(readsAlike([VC2_CONTEXT, GX_2511], [subject], 'repeated statements'))
  })

  it('leaves to Oxigraph what it does not cover, and never answers differently', () => {
    const base = { id: 'https://provider.example/x', type: 'gx:LegalPerson' }
    const beyond: Array<[string, unknown, Record<string, unknown>]> = [
      ['a list', [VC2_CONTEXT, GX_2511], { ...base, 'gx:keyword': { '@list': ['a', 'b'] } }],
      ['a language tag', [VC2_CONTEXT, GX_2511], { ...base, 'gx:name': { '@value': 'Name', '@language': 'de' } }],
      ['a relative IRI', [VC2_CONTEXT, GX_2511], { ...base, id: 'relative/x' }],
      ['a blank node identifier', [VC2_CONTEXT, GX_2511], { ...base, id: '_:b0' }],
      ['@reverse', [VC2_CONTEXT, GX_2511], { ...base, '@reverse': { 'gx:providedBy': { id: 'https://provider.example/s' } } }],
      ['a double', [VC2_CONTEXT, GX_2511], { ...base, 'gx:level': 1.5 }],
      ['an IRI with user information', [VC2_CONTEXT, GX_2511], { ...base, id: 'https://user@provider.example/a' }],
      ['a default language', [VC2_CONTEXT, GX_2511, { '@language': 'en' }], base],
      ['a graph container (proof)', [VC2_CONTEXT, GX_2511], { ...base, proof: { type: 'DataIntegrityProof' } }],
      ['a context gxcat does not bundle', [VC2_CONTEXT, 'https://example.org/context.jsonld'], base]
    ]
    for (const [what, context, node] of beyond) {
      assert.equal(triplesOf(context, [node]), undefined, `${what} was read directly`)
    }
  })

  it('refuses by name an IRI that is no IRI, where Oxigraph would drop its node or triple without a word', () => {
    const base = { id: 'https://provider.example/x', type: 'gx:LegalPerson' }
    const noIri: Array<[string, Record<string, unknown>]> = [
      ['a node id with a space', { ...base, id: 'https://provider.example/a b' }],
      ['a node id with a bad port', { ...base, id: 'https://provider.example:8x/a' }],
      ['a property name with a space', { ...base, 'gx:evil thing': 'x' }],
      ['a reference with <', { ...base, 'gx:providedBy': { id: 'urn:<x>' } }]
    ]
    for (const [what, node] of noIri) {
      assert.throws(() => triplesOf([VC2_CONTEXT, GX_2511], [node]), { name: 'InvalidIriError' }, what)
      // Oxigraph, as JSON-LD says, drops what it cannot name: the reason the reader refuses
      const kept = oxigraphQuads([VC2_CONTEXT, GX_2511], [node]).length
      const stated = Object.keys(node).length - 1
      assert.ok(kept < stated, `${what}: Oxigraph kept ${kept} of ${stated} statements`)
    }
  })
})
