/**
 * The RDF graph the official shapes judge of each credential: its subjects (and its envelope,
 * where a shape targets it), read with the bundled contexts' term maps or, where they do not
 * suffice, by Oxigraph, as RDF/JS quads for shacl-engine.
 */
import { DataFactory, Parser, type Quad } from 'n3'
import oxigraph from 'oxigraph'
import { subjectsOf } from './credential.ts'
import { labelForShapes } from './compliance-label.ts'
import { CredentialTooComplexError, InvalidIriError } from './errors.ts'
import { assertGraphBounds } from './graph-bounds.ts'
import { triplesOf } from './jsonld-triples.ts'
import type { RdfLiteral, RdfTriple } from './rdf-terms.ts'
import { inlinedContextText } from './vocabulary.ts'

const GRAPH_PREFIX = 'urn:gxcat:shapes:'

/** What refuses a credential's graph before it is built (graph-bounds.ts, the reader's IRIs), as against a JSON-LD parse error. */
export function isGraphRefusal (err: Error): boolean {
  return err.name === InvalidIriError.name || err.name === CredentialTooComplexError.name
}

/**
 * The RDF of each credential. The bundled contexts' term maps read most credentials directly
 * (jsonld-triples.ts); the others are parsed by Oxigraph together, one JSON-LD document per
 * distinct context, each credential its own named graph. One that Oxigraph cannot parse gets its
 * error instead. `subjectsOnly`: the graph is the credential's subjects, without its envelope.
 */
export function parseGraphs (given: ReadonlyArray<Record<string, unknown>>, subjectsOnly: boolean): Array<Quad[] | Error> {
  // a compliance label is judged as the official shapes write one (compliance-label.ts)
  const credentials = given.map(labelForShapes)
  const graphOf = (i: number): unknown[] => subjectsOnly ? subjectsOf(credentials[i]) : [{ ...credentials[i], '@context': undefined, credentialSubject: subjectsOf(credentials[i]) }]
  const out: Array<Quad[] | Error> = credentials.map(() => [])
  const groups = new Map<string, number[]>()
  credentials.forEach((credential, i) => {
    let triples: RdfTriple[] | undefined
    try {
      // the graph the shapes judge has every node the credential describes, or none at all
      assertGraphBounds(credential)
      triples = triplesOf(credential['@context'], graphOf(i))
    } catch (err: any) {
      if (!isGraphRefusal(err)) throw err
      out[i] = err
      return
    }
    if (triples != null) {
      out[i] = triples.map(quadOf)
      return
    }
    const key = JSON.stringify(credential['@context'])
    const group = groups.get(key)
    if (group == null) groups.set(key, [i])
    else group.push(i)
  })
  for (const indexes of groups.values()) {
    const documentOf = (list: number[]): string => {
      const graphs = list.map(i => ({ '@id': GRAPH_PREFIX + String(i), '@graph': graphOf(i) }))
      const context = inlinedContextText(credentials[list[0]]['@context'], graphs)
      return `{"@context":${context},"@graph":${JSON.stringify(graphs)}}`
    }
    let quads: Quad[]
    try {
      quads = toN3(documentOf(indexes))
    } catch {
      // one bad document must not cost the others their validation: parse them one by one
      for (const i of indexes) {
        try {
          out[i] = toN3(documentOf([i]))
        } catch (err: any) {
          out[i] = err
        }
      }
      continue
    }
    let graph = ''
    let list: Quad[] = []
    for (const quad of quads) {
      if (quad.graph.value !== graph) {
        graph = quad.graph.value
        list = out[Number(graph.slice(GRAPH_PREFIX.length))] as Quad[]
      }
      list.push(quad)
    }
  }
  return out
}

function termOf (term: string | RdfLiteral): Quad['object'] {
  if (typeof term !== 'string') return DataFactory.literal(term.value, DataFactory.namedNode(term.datatype))
  return term.startsWith('_:') ? DataFactory.blankNode(term.slice(2)) : DataFactory.namedNode(term)
}

function quadOf (triple: RdfTriple): Quad {
  return DataFactory.quad(termOf(triple.subject) as Quad['subject'], DataFactory.namedNode(triple.predicate), termOf(triple.object))
}

/**
 * JSON-LD → N-Quads in Oxigraph (fast), N-Quads → RDF/JS terms with N3. The store is freed at
 * once: left to the garbage collector, thousands of them grow WebAssembly memory, which is never
 * given back (1 GiB over 100,000 lone credentials).
 */
export function toN3 (jsonld: string): Quad[] {
  const store = new oxigraph.Store()
  try {
    store.load(jsonld, { format: 'application/ld+json', no_transaction: true })
    return new Parser({ format: 'N-Quads' }).parse(store.dump({ format: 'application/n-quads' }))
  } finally {
    (store as unknown as { free: () => void }).free()
  }
}
