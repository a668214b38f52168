/**
 * The RDF store itself: active versions in an in-memory Oxigraph store, one named graph per
 * version, queried with the union of graphs as default graph. JSON-LD → RDF is left to
 * Oxigraph with the bundled contexts inlined; credentials are parsed in batches, one context
 * per batch, which is where the parse time goes. Used in a worker thread (rdf-worker.ts) by
 * a node, inline by simulations.
 */
import oxigraph from 'oxigraph'
// the modules this store runs, not the protocol's index: in the RDF worker that would load all of
// it (the shapes engine, DID resolution, status lists), about 0.14 s more before it answers
import { subjectsOf } from '../../protocols/self-description/credential.ts'
import { InvalidIriError } from '../../protocols/self-description/errors.ts'
import { triplesOf } from '../../protocols/self-description/jsonld-triples.ts'
import { nQuadsOf, type RdfTriple } from '../../protocols/self-description/rdf-terms.ts'
import { payloadOfVerifiedJws } from '../../protocols/self-description/jws.ts'
import { inlinedContextText } from '../../protocols/self-description/vocabulary.ts'
import { InvalidQueryError } from '../errors.ts'
import { answerFormat, checkQueryLength, readOnlyError, sparqlErrorMessage, withPredefinedPrefixes } from './sparql-text.ts'

/** A version to index: its JWS, or the credential (its payload, parsed) where the reader has it already. */
export type RdfVersion = {
  cid: string
  /** its graph as N-Quads (versionNQuads), where the sender read it already */
  nQuads?: string
} & ({ jws: string } | { credential: Record<string, unknown> })

function credentialOf (version: RdfVersion): Record<string, unknown> {
  return 'credential' in version ? version.credential : payloadOfVerifiedJws(version.jws)
}

export interface SparqlResult {
  contentType: string
  body: string
}

export interface RdfStore {
  load (versions: RdfVersion[], onError?: (cid: string, err: Error) => void): void
  /** loads the graphs of these versions, given as one UTF-8 N-Quads text (versionNQuads of each) */
  loadNQuads (text: Uint8Array, cids: string[], onError?: (cid: string, err: Error) => void): void
  remove (cid: string): void
  query (sparql: string, accept?: string): SparqlResult
  /** every quad in the store, as N-Quads */
  dump (): string
  /** every quad in the store (counts them: O(n)) */
  readonly size: number
}

const PROLOGUE = String.raw`^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s+<[^>]*>|#[^\n]*\n)\s*)*`
const UPDATE = new RegExp(PROLOGUE + '(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\\b', 'i')
const GRAPH_FORM = new RegExp(PROLOGUE + '(CONSTRUCT|DESCRIBE)\\b', 'i')

export function graphName (cid: string): string {
  if (cid.startsWith(COMPLIANCE_GRAPH)) return `urn:gxcat:compliance:${cid.slice(COMPLIANCE_GRAPH.length)}`
  return `urn:gxcat:version:${cid}`
}

const COMPLIANCE_GRAPH = 'compliance:'

/** The index's id (as `cid`) of the graph that links a version to its compliance labels: graphName makes it urn:gxcat:compliance:CID. */
export function complianceGraphId (cid: string): string {
  return COMPLIANCE_GRAPH + cid
}

/**
 * The graphs of several versions as one flat UTF-8 text: a rope of appended strings costs
 * Oxigraph's binding twice the time to copy in, and bytes travel to a worker without a copy.
 * Each graph is written into the buffer where it goes: joining them into one string first cost
 * 15 times as much (11-19 ms against 0.9-1.2 ms for 1,000 versions, a tenth of the main
 * thread's work in a rebuild).
 */
export function nQuadsText (graphs: string[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const graph of graphs) length += Buffer.byteLength(graph)
  // its own memory (never Node's shared pool), so that it can be moved to a worker
  const text = Buffer.allocUnsafeSlow(length)
  let at = 0
  for (const graph of graphs) at += text.write(graph, at)
  return new Uint8Array(text.buffer as ArrayBuffer, text.byteOffset, at)
}

/**
 * A version's graph as N-Quads, read with the bundled contexts' term maps; undefined where they
 * do not suffice (Oxigraph then parses its JSON-LD). Blank nodes are labelled after the CID, so
 * that the graphs of a batch loaded as one text keep theirs apart.
 */
export function versionNQuads (version: RdfVersion): string | undefined {
  return nQuadsOfGraph(version.cid, indexedGraph(credentialOf(version)))
}

/** What the index holds of a credential: its node, read with its contexts. */
interface IndexedGraph { context: unknown, node: Record<string, unknown> }

function indexedGraph (credential: Record<string, unknown>): IndexedGraph {
  const { '@context': context, ...body } = credential
  // Loire credentials often type only the credential: the subject is indexed as of those types too
  return { context, node: { ...body, credentialSubject: subjectsOf(body) } }
}

function nQuadsOfGraph (cid: string, { context, node }: IndexedGraph): string | undefined {
  let triples: RdfTriple[] | undefined
  try {
    triples = triplesOf(context, [node], `${cid}b`)
  } catch (err: any) {
    // a stored credential always has IRIs (its check refuses one that does not); if one came
    // from a store written before that check, Oxigraph reads it as JSON-LD does
    if (err.name !== InvalidIriError.name) throw err
  }
  return triples == null ? undefined : nQuadsOf(triples, graphName(cid))
}

export function createRdfStore (): RdfStore {
  const store = new oxigraph.Store()

  function loadGroup (context: string, graphs: Array<Record<string, unknown>>, onError?: (cid: string, err: Error) => void): void {
    try {
      store.load(`{"@context":${context},"@graph":${JSON.stringify(graphs)}}`, { format: 'application/ld+json', no_transaction: true })
    } catch {
      // one bad document must not cost the others their triples: retry one by one
      for (const graph of graphs) {
        try {
          store.load(`{"@context":${context},"@graph":[${JSON.stringify(graph)}]}`, { format: 'application/ld+json' })
        } catch (err: any) {
          onError?.(String(graph['@id']).slice('urn:gxcat:version:'.length), err)
        }
      }
    }
  }

  function loadNQuads (text: Uint8Array, cids: string[], onError?: (cid: string, err: Error) => void): void {
    try {
      store.load(text, { format: 'application/n-quads', no_transaction: true, lenient: true })
    } catch (err: any) {
      // triplesOf vouches for every IRI and literal it writes, so this is not expected; if it
      // happens, Oxigraph may have loaded part of the text: report the batch rather than guess
      for (const cid of cids) onError?.(cid, err)
    }
  }

  return {
    load (versions, onError) {
      const groups = new Map<string, { context: unknown, graphs: Array<Record<string, unknown>> }>()
      // read with the bundled contexts' term maps where they suffice (most credentials), as
      // N-Quads that Oxigraph loads at twice the speed of JSON-LD; triplesOf checked every IRI
      // it wrote, so Oxigraph need not check them again (lenient)
      const nQuads: string[] = []
      const direct: string[] = []
      for (const version of versions) {
        let text = version.nQuads
        if (text == null) {
          // decoded once, for our reader and, where that does not suffice, for Oxigraph's
          const { context, node } = indexedGraph(credentialOf(version))
          text = nQuadsOfGraph(version.cid, { context, node })
          if (text == null) {
            const key = JSON.stringify(context)
            let group = groups.get(key)
            if (group == null) groups.set(key, group = { context, graphs: [] })
            group.graphs.push({ '@id': graphName(version.cid), '@graph': [node] })
            continue
          }
        }
        nQuads.push(text)
        direct.push(version.cid)
      }
      if (nQuads.length > 0) loadNQuads(nQuadsText(nQuads), direct, onError)
      for (const { context, graphs } of groups.values()) {
        loadGroup(inlinedContextText(context, graphs), graphs, onError)
      }
    },
    loadNQuads,
    remove (cid) {
      for (const quad of store.match(null, null, null, oxigraph.namedNode(graphName(cid)))) store.delete(quad)
    },
    query (sparql, accept = 'application/sparql-results+json') {
      checkQueryLength(sparql)
      if (UPDATE.test(sparql)) throw readOnlyError()
      const format = answerFormat(GRAPH_FORM.test(sparql), accept)
      try {
        const body = store.query(withPredefinedPrefixes(sparql), { use_default_graph_as_union: true, results_format: format }) as string
        return { contentType: format, body }
      } catch (err: any) {
        throw new InvalidQueryError(sparqlErrorMessage(String(err.message ?? err), sparql))
      }
    },
    dump () {
      return store.dump({ format: 'application/n-quads' })
    },
    get size () {
      return store.size
    }
  }
}

/**
 * A version's graph as N-Triples lines (without its graph name), for a SPARQL store's INSERT:
 * read with the bundled contexts' term maps, or where they do not suffice parsed as JSON-LD by
 * Oxigraph here.
 */
export function versionTriples (version: RdfVersion): string {
  let quads = version.nQuads ?? versionNQuads(version)
  if (quads == null) {
    const parsed = createRdfStore()
    parsed.load([version], (cid, err) => { throw new Error(`credential ${cid} cannot be read as RDF: ${err.message}`) })
    quads = parsed.dump()
  }
  const suffix = ` <${graphName(version.cid)}> .`
  let triples = ''
  for (const line of quads.split('\n')) {
    if (line.endsWith(suffix)) triples += line.slice(0, -suffix.length) + ' .\n'
  }
  return triples
}
