/**
 * A release's shapes graph as validation reads it: without its sh:in lists, whose values are
 * kept apart by shape (liftInLists). Lifting them out of the official Turtle (2.3 MB a release)
 * took most of a node's start; the result is kept beside the Turtle in `lifted.json` (`npm run
 * shapes`), with the SHA-256 of the Turtle it came from, and read instead where that still
 * matches: a Turtle file changed by hand or by a new release is parsed again, never a stale
 * copy used. Written here: no package reads SHACL shapes other than from RDF.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { DataFactory, Parser, type Quad, type Term } from 'n3'

export interface LiftedShapes {
  /** the shapes graph and ontology, sh:in lists lifted out */
  quads: Quad[]
  /** the values of each lifted sh:in list, by the key (keyOf) of the shape that has it */
  inValues: Map<string, Term[]>
}

const TURTLE_FILES = ['shapes.ttl', 'ontology.ttl']
const LIFTED_FILE = 'lifted.json'
/** changes whenever lifted.json is written differently */
const LIFTED_FORMAT = 1

interface LiftedFile {
  format: number
  /** SHA-256 of the Turtle files it was lifted from, hex */
  turtle: string
  /** every term once, as its key (keyOf) */
  terms: string[]
  /** subject, predicate, object: indexes into terms, three a quad */
  quads: number[]
  /** a shape's term index, then its values' */
  inValues: Array<[number, number[]]>
}

/** A string that identifies a term, whichever RDF/JS factory made it. */
export function keyOf (term: Term): string {
  if (term.termType === 'Literal') return `L${term.value}\u0000${term.datatype.value}\u0000${term.language}`
  return term.termType.charAt(0) + term.value
}

const SH_IN = 'http://www.w3.org/ns/shacl#in'
const RDF_FIRST = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#first'
const RDF_REST = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#rest'
const RDF_NIL = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#nil'

/**
 * The values of every sh:in list, by the shape that has it, and the shapes graph without those
 * lists: they are 94 % of its quads (77,000 list cells of MIME types, countries, languages),
 * which made each release's graph hold ~190 MB of JavaScript heap that every major garbage
 * collection of the validating thread marked again. A list that anything else points at stays.
 */
function liftInLists (quads: Quad[]): { quads: Quad[], inValues: Map<string, Term[]> } {
  // list cells are blank nodes, keyed by N3's term id ("_:label"): `value` would cut a new
  // string out of it at every read, half the time of loading a release
  const cells = new Map<string, { first?: Term, rest?: Term }>()
  const pointedAt = new Map<string, number>()
  for (const quad of quads) {
    const predicate = quad.predicate.value
    if ((predicate === RDF_FIRST || predicate === RDF_REST) && quad.subject.termType === 'BlankNode') {
      let cell = cells.get(quad.subject.id)
      if (cell == null) cells.set(quad.subject.id, cell = {})
      if (predicate === RDF_FIRST) cell.first = quad.object
      else cell.rest = quad.object
    }
    if (predicate !== RDF_REST && quad.object.termType === 'BlankNode') pointedAt.set(quad.object.id, (pointedAt.get(quad.object.id) ?? 0) + 1)
  }
  const inValues = new Map<string, Term[]>()
  const lifted = new Set<string>()
  for (const quad of quads) {
    if (quad.predicate.value !== SH_IN || quad.object.termType !== 'BlankNode' || pointedAt.get(quad.object.id) !== 1) continue
    const values: Term[] = []
    const listCells = new Set<string>()
    let node: Quad['object'] = quad.object
    while (node.value !== RDF_NIL) {
      const cell: { first?: Term, rest?: Term } | undefined = node.termType === 'BlankNode' ? cells.get(node.id) : undefined
      if (cell?.first == null || cell.rest == null || listCells.has(node.id)) break
      values.push(cell.first)
      listCells.add(node.id)
      node = cell.rest as Quad['object']
    }
    if (node.value !== RDF_NIL || [...listCells].slice(1).some(label => pointedAt.has(label))) continue // not a well-formed list of its own
    inValues.set(keyOf(quad.subject), values)
    for (const label of listCells) lifted.add(label)
  }
  return { quads: quads.filter(q => q.subject.termType !== 'BlankNode' || !lifted.has(q.subject.id)), inValues }
}

/** The lifted shapes of a release folder: from its lifted.json where that matches its Turtle, else from the Turtle. */
export function liftedShapes (folder: URL): LiftedShapes {
  const turtle = readTurtle(folder)
  const digest = turtleDigest(turtle)
  let file: LiftedFile | undefined
  try {
    file = JSON.parse(readFileSync(new URL(LIFTED_FILE, folder), 'utf8'))
  } catch {}
  if (file?.format === LIFTED_FORMAT && file.turtle === digest) return fromFile(file)
  return liftTurtle(turtle)
}

/** Lifted from the Turtle, blank nodes labelled in the order they appear (N3's labels count on across parses). */
function liftTurtle (turtle: string[]): LiftedShapes {
  const { quads, inValues } = liftInLists(turtle.flatMap(text => new Parser({ format: 'text/turtle' }).parse(text)))
  const labels = new Map<string, Term>()
  const relabel = <T extends Term>(term: T): T => {
    if (term.termType !== 'BlankNode') return term
    let label = labels.get(term.value)
    if (label == null) labels.set(term.value, label = DataFactory.blankNode(`b${labels.size}`))
    return label as T
  }
  return {
    quads: quads.map(q => DataFactory.quad(relabel(q.subject), relabel(q.predicate), relabel(q.object))),
    inValues: new Map([...inValues].map(([shape, values]) => [shape.startsWith('B') ? keyOf(relabel(DataFactory.blankNode(shape.slice(1)))) : shape, values.map(relabel)]))
  }
}

/** lifted.json for a release folder, lifted from its Turtle. */
export function liftedFileText (folder: URL): string {
  const turtle = readTurtle(folder)
  const { quads, inValues } = liftTurtle(turtle)
  const index = new Map<string, number>()
  const indexOf = (key: string): number => {
    let i = index.get(key)
    if (i == null) index.set(key, i = index.size)
    return i
  }
  const file: LiftedFile = {
    format: LIFTED_FORMAT,
    turtle: turtleDigest(turtle),
    terms: [],
    quads: quads.flatMap(q => [q.subject, q.predicate, q.object].map(term => indexOf(keyOf(term)))),
    inValues: [...inValues].map(([shape, values]) => [indexOf(shape), values.map(v => indexOf(keyOf(v)))])
  }
  file.terms = [...index.keys()]
  return JSON.stringify(file)
}

function readTurtle (folder: URL): string[] {
  return TURTLE_FILES.map(name => readFileSync(new URL(name, folder), 'utf8'))
}

function turtleDigest (texts: string[]): string {
  const hash = createHash('sha256')
  for (const text of texts) hash.update(text).update('\u0000')
  return hash.digest('hex')
}

function termOf (key: string): Term {
  switch (key.charAt(0)) {
    case 'N': return DataFactory.namedNode(key.slice(1))
    case 'B': return DataFactory.blankNode(key.slice(1))
    case 'L': {
      const [value, datatype, language] = key.slice(1).split('\u0000')
      return language !== '' ? DataFactory.literal(value, language) : DataFactory.literal(value, DataFactory.namedNode(datatype))
    }
    default: throw new Error(`a lifted shapes file with a term of unknown kind: ${key.slice(0, 40)}`)
  }
}

function fromFile (file: LiftedFile): LiftedShapes {
  const terms = file.terms.map(termOf)
  const quads: Quad[] = []
  for (let i = 0; i < file.quads.length; i += 3) {
    quads.push(DataFactory.quad(terms[file.quads[i]] as Quad['subject'], terms[file.quads[i + 1]] as Quad['predicate'], terms[file.quads[i + 2]] as Quad['object']))
  }
  return { quads, inValues: new Map(file.inValues.map(([shape, values]) => [file.terms[shape], values.map(v => terms[v])])) }
}
