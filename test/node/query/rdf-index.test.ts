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
import { graphName } from '../../../node/query/rdf-store.ts'

const COUNT_GRAPHS = 'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'

const countOf = (body: string): number => Number(JSON.parse(body).results.bindings[0].n.value)

describe('RDF index', function () {
  this.timeout(120_000)

  it('holds the same quads whether the main thread or the worker read the credentials', async () => {
    // text beyond ASCII too: the main thread writes the graphs of a batch as one UTF-8 text (nQuadsText)
    const named = await signCredential({ ...legalPerson2511(), 'schema:name': 'Müller & Söhne — 東京 😀 "quoted"\nline' }, generateIssuerKey(), { vocabulary: '2511' })
    const versions = [...await generateJws(40, { seed: 31 }), named].map(jws => ({ cid: versionCidText(jws), jws }))
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
      const NAME = 'SELECT ?name WHERE { <https://provider.example/legal-person> <https://schema.org/name> ?name }'
      assert.deepEqual(JSON.parse((await byMain.query(NAME)).body).results.bindings.map((b: any) => b.name.value), ['Müller & Söhne — 東京 😀 "quoted"\nline'])
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

  for (const worker of [true, false]) {
    it(`rebuilds from its source, joined by a second caller, keeping out what is removed meanwhile (${worker ? 'worker' : 'inline'})`, async () => {
      const versions = (await generateJws(30, { seed: 34 })).map(jws => ({ cid: versionCidText(jws), credential: payloadOfVerifiedJws(jws) }))
      const secondAsked = Promise.withResolvers<void>()
      const goOn = Promise.withResolvers<void>()
      const source = async function * (): AsyncGenerator<typeof versions> {
        yield versions.slice(0, 10)
        secondAsked.resolve()
        await goOn.promise
        yield versions.slice(10)
      }
      const rdf = createRdfIndex({ logger: defaultLogger() }, { worker, source })
      try {
        const progress: number[] = []
        const rebuilt = rdf.rebuild({ onProgress: loaded => { progress.push(loaded) } })
        const joined = rdf.rebuild()
        await secondAsked.promise
        rdf.remove(versions[3].cid) // loaded already
        rdf.remove(versions[20].cid) // read after its removal
        goOn.resolve()
        assert.deepEqual(await Promise.all([rebuilt, joined]), [30, 30])
        assert.deepEqual(progress, [10, 30])
        assert.equal(countOf((await rdf.query(COUNT_GRAPHS)).body), 28)
        for (const [i, held] of [[3, false], [20, false], [4, true], [21, true]] as const) {
          const ask = JSON.parse((await rdf.query(`ASK { GRAPH <${graphName(versions[i].cid)}> { ?s ?p ?o } }`)).body).boolean
          assert.equal(ask, held, `version ${i}`)
        }
      } finally {
        await rdf.close()
      }
    })
  }
})
