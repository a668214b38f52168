/**
 * The RDF index in its worker: graphs read on the main thread (a rebuild at start) and graphs
 * the worker reads from the JWS (ingest) give the same quads, also where Oxigraph's JSON-LD
 * parser reads them, and a rebuild that waits for the worker between batches (caughtUp) loses
 * none of them.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { isomorphic } from 'rdf-isomorphic'
import { RDF_BATCHES_AHEAD } from '../../../node/constants.ts'
import { createRdfIndex, versionNQuads } from '../../../node/query/rdf-index.ts'
import { versionCidText } from '../../../protocols/self-description/identity.ts'
import { payloadOfVerifiedJws } from '../../../protocols/self-description/jws.ts'
import { generateIssuerKey, signCredential } from '../../../protocols/self-description/index.ts'
import { legalPerson2511 } from '../../fixtures/subjects.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { ALL_QUADS, quadsOfBindings } from '../../fixtures/sparql-quads.ts'

const COUNT_GRAPHS = 'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'

const countOf = (body: string): number => Number(JSON.parse(body).results.bindings[0].n.value)

describe('RDF index', function () {
  this.timeout(120_000)

  it('holds the same quads whether the main thread or the worker read the credentials', async () => {
    const versions = (await generateJws(40, { seed: 31 })).map(jws => ({ cid: versionCidText(jws), jws }))
    const byWorker = createRdfIndex({ logger: defaultLogger() })
    const byMain = createRdfIndex({ logger: defaultLogger() })
    try {
      for (const version of versions) byWorker.add(version)
      for (const { cid, jws } of versions) {
        const credential = payloadOfVerifiedJws(jws)
        byMain.add({ cid, credential, nQuads: versionNQuads({ cid, credential }) })
      }
      const [a, b] = await Promise.all([byWorker.query(ALL_QUADS), byMain.query(ALL_QUADS)])
      const [fromJws, fromMain] = [quadsOfBindings(JSON.parse(a.body)), quadsOfBindings(JSON.parse(b.body))]
      assert.ok(fromJws.length > 40 * 10)
      assert.equal(fromMain.length, fromJws.length)
      assert.ok(isomorphic(fromMain, fromJws), 'the graphs read on the main thread differ from those the worker read')
    } finally {
      await Promise.all([byWorker.close(), byMain.close()])
    }
  })

  it('leaves to Oxigraph what our reader does not cover, whichever thread decoded the credential', async () => {
    // a blank node identifier: the bundled term maps do not read it (triplesOf), Oxigraph's JSON-LD parser does
    const jws = await signCredential({ ...legalPerson2511(), 'gx:legalAddress': { id: '_:address', type: 'gx:Address', 'gx:countryCode': 'AT' } }, generateIssuerKey(), { vocabulary: '2511' })
    const cid = versionCidText(jws)
    const credential = payloadOfVerifiedJws(jws)
    assert.equal(versionNQuads({ cid, credential }), undefined)
    const byWorker = createRdfIndex({ logger: defaultLogger() })
    const byMain = createRdfIndex({ logger: defaultLogger() })
    try {
      byWorker.add({ cid, jws })
      byMain.add({ cid, credential, nQuads: undefined })
      const COUNTRY = 'SELECT ?country WHERE { ?s <https://w3id.org/gaia-x/2511#legalAddress> ?a . ?a <https://w3id.org/gaia-x/2511#countryCode> ?country }'
      for (const rdf of [byWorker, byMain]) {
        assert.deepEqual(JSON.parse((await rdf.query(COUNTRY)).body).results.bindings.map((b: any) => b.country.value), ['AT'])
      }
      const [a, b] = await Promise.all([byWorker.query(ALL_QUADS), byMain.query(ALL_QUADS)])
      assert.ok(isomorphic(quadsOfBindings(JSON.parse(b.body)), quadsOfBindings(JSON.parse(a.body))))
    } finally {
      await Promise.all([byWorker.close(), byMain.close()])
    }
  })

  it('loses nothing when a rebuild waits for the worker between batches', async () => {
    const batch = 200
    const batches = RDF_BATCHES_AHEAD * 4
    const jwsList = await generateJws(batch * batches, { seed: 32 })
    const rdf = createRdfIndex({ logger: defaultLogger() })
    try {
      // batches sent faster than the worker loads them: the waits resolve as it catches up
      const waits: Array<Promise<void>> = []
      for (let i = 0; i < jwsList.length; i += batch) {
        for (const jws of jwsList.slice(i, i + batch)) {
          const cid = versionCidText(jws)
          const credential = payloadOfVerifiedJws(jws)
          rdf.add({ cid, credential, nQuads: versionNQuads({ cid, credential }) })
        }
        waits.push(rdf.caughtUp())
      }
      await Promise.all(waits)
      await rdf.caughtUp()
      await rdf.idle()
      assert.equal(countOf((await rdf.query(COUNT_GRAPHS)).body), batch * batches)
    } finally {
      await rdf.close()
    }
  })

  it('answers caughtUp at once when it runs inline (simulations)', async () => {
    const rdf = createRdfIndex({ logger: defaultLogger() }, { worker: false })
    const jws = (await generateJws(3, { seed: 33 }))
    for (const one of jws) rdf.add({ cid: versionCidText(one), jws: one })
    await rdf.caughtUp()
    assert.equal(countOf((await rdf.query(COUNT_GRAPHS)).body), 3)
    await rdf.close()
  })
})
