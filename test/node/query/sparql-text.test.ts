/**
 * SPARQL as a person writes it: the catalogue's prefixes need no declaration, and a query that
 * does not parse is refused with one line that says where, what is there and what would do.
 */
import assert from 'node:assert/strict'
import { createRdfStore, type RdfStore } from '../../../node/query/rdf-store.ts'
import { InvalidQueryError } from '../../../node/errors.ts'
import { versionCidText } from '../../../protocols/self-description/identity.ts'
import { generateIssuerKey, signCredential } from '../../../protocols/self-description/index.ts'
import { legalPerson2511, serviceOffering, serviceOffering2511 } from '../../fixtures/subjects.ts'

function refusal (store: RdfStore, query: string): string {
  try {
    store.query(query)
  } catch (err: any) {
    assert.equal(err.name, InvalidQueryError.name)
    assert.doesNotMatch(err.message, /\n/, 'one line')
    return err.message
  }
  assert.fail(`${query} was answered`)
}

const rows = (store: RdfStore, query: string): Array<Record<string, { value: string }>> => JSON.parse(store.query(query).body).results.bindings

describe('SPARQL text', () => {
  let store: RdfStore

  before(async () => {
    const key = generateIssuerKey()
    store = createRdfStore()
    const jwss = [
      await signCredential(serviceOffering(), key),
      await signCredential(serviceOffering2511(), key, { vocabulary: '2511' }),
      await signCredential(legalPerson2511(), key, { vocabulary: '2511' })
    ]
    store.load(jwss.map(jws => ({ cid: versionCidText(jws), jws })))
  })

  it('predefines gx: as the 2511 release, gxdev: as the development vocabulary, and schema:', () => {
    assert.deepEqual(rows(store, 'SELECT ?s WHERE { ?s a gx:ServiceOffering }').map(r => r.s.value), ['https://provider.example/services/2511'])
    assert.deepEqual(rows(store, 'SELECT ?s WHERE { ?s a gxdev:ServiceOffering }').map(r => r.s.value), ['https://provider.example/services/demo'])
    assert.equal(rows(store, 'SELECT ?s WHERE { VALUES ?c { gx:ServiceOffering gxdev:ServiceOffering } ?s a ?c }').length, 2)
    assert.deepEqual(rows(store, 'SELECT ?n WHERE { ?s a gx:LegalPerson ; schema:name ?n }').map(r => r.n.value), ['Provider GmbH'])
  })

  it('lets a query declare a predefined prefix otherwise', () => {
    assert.equal(rows(store, 'PREFIX gx: <https://w3id.org/gaia-x/development#>\nSELECT ?s WHERE { ?s a gx:ServiceOffering }').length, 1)
  })

  it('names an undefined prefix, where it is, and how to declare it', () => {
    assert.match(refusal(store, 'SELECT ?s WHERE {\n  ?s a foo:ServiceOffering\n}'),
      /^Prefix not found: foo \(line 2, column 8, in "foo:ServiceOffering"\); declare it with PREFIX foo: <…>, or use one of the predefined prefixes \(gx, gxdev, /)
  })

  it('says a misspelt query form is not one, at its place', () => {
    assert.equal(refusal(store, 'PREFIX ex: <http://example.org/>\n  SELEC ?s WHERE { ?s ?p ?o }'),
      'SPARQL syntax error at line 2, column 3: "SELEC" is not a query form; a query is SELECT, CONSTRUCT, DESCRIBE or ASK, after any PREFIX and BASE declarations')
  })

  it('gives the line, the column and the token, with what would do, not the grammar', () => {
    const message = refusal(store, 'SELECT * WHERE { ?s ?p ?o } LIMIT ten')
    assert.match(message, /^SPARQL syntax error at line 1, column 35 near "ten": expected one of /)
    assert.doesNotMatch(message, /\\u\{|'\.\.='/, 'no character classes')
    assert.match(refusal(store, 'SELECT ?s WHERE { ?s ?p ?o'), /^SPARQL syntax error at line 1, column 27 at the end of the query: expected one of .*"}"/)
  })

  it('keeps a rule\'s own message', () => {
    assert.equal(refusal(store, 'SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s'), 'SPARQL error at line 1, column 41: The SELECT contains a variable that is unbound')
  })
})
