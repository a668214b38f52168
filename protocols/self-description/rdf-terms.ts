/**
 * RDF terms as gxcat's JSON-LD reader writes them (jsonld-triples.ts), and their N-Quads form:
 * what the SPARQL index loads.
 */
export const XSD = 'http://www.w3.org/2001/XMLSchema#'

/** A literal; an IRI or a blank node (`_:label`) is a plain string. */
export interface RdfLiteral { value: string, datatype: string }
export interface RdfTriple { subject: string, predicate: string, object: string | RdfLiteral }

/** A predicate and object as one string: an IRI or blank node never holds U+0000 or U+0001. */
export function tripleKey (predicate: string, object: string | RdfLiteral): string {
  return typeof object === 'string' ? `${predicate}\u0000${object}` : `${predicate}\u0000${object.datatype}\u0001${object.value}`
}

function nQuadsTerm (term: string | RdfLiteral): string {
  if (typeof term !== 'string') {
    const escaped = term.value.replace(/["\\\n\r]/g, c => c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`)
    return term.datatype === `${XSD}string` ? `"${escaped}"` : `"${escaped}"^^<${term.datatype}>`
  }
  return term.startsWith('_:') ? term : `<${term}>`
}

/** Triples as N-Quads in one named graph. */
export function nQuadsOf (triples: readonly RdfTriple[], graph: string): string {
  return triples.map(({ subject, predicate, object }) => `${nQuadsTerm(subject)} <${predicate}> ${nQuadsTerm(object)} <${graph}> .\n`).join('')
}
