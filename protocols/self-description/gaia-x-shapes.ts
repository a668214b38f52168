/**
 * The official Gaia-X SHACL shapes, run with shacl-engine: the 2511 release (gaia-x-2511/) and
 * the 25.11 shapes of the `development#` namespace (gaia-x-development/); see SOURCE.md in each.
 * docs/design.md's rule: shapes run over each credential's own graph, never over what else a node
 * holds, so every node decides alike; the ontology's class hierarchy is merged into the shapes
 * graph (shacl-engine reads rdfs:subClassOf there for sh:targetClass and sh:class); a reference
 * to an entity that the graph does not describe is not a violation.
 *
 * Each 2.3 MB shapes file is parsed once per process, on the first credential of its vocabulary
 * (about a second). Each credential is validated against only the shapes its graph's types
 * reach, and credentials submitted in the same tick share one JSON-LD → RDF parse (Oxigraph).
 */
import type { KeyObject } from 'node:crypto'
import { DataFactory, Store, type Quad, type Term } from 'n3'
import { XsdValidation } from 'rdf-validation'
import { Validator, type ValidationResult } from 'shacl-engine'
import { GX_2511, GX_DEVELOPMENT, VC_VOCABULARY } from '../constants.ts'
import { ShapeViolationError, type ShapeViolation } from './errors.ts'
import { assertGraphBounds } from './graph-bounds.ts'
import { inlineGraphContexts } from './vocabulary.ts'
import { isGraphRefusal, parseGraphs, toN3 } from './shapes-graph.ts'
import { keyOf, liftedShapes } from './lifted-shapes.ts'
import { SmallDataset } from './small-dataset.ts'
import { placeViolations } from './violation-place.ts'

const SH = 'http://www.w3.org/ns/shacl#'
const SH_IN = `${SH}in`
const SH_DATATYPE = `${SH}datatype`
const SH_PROPERTY = `${SH}property`
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const RDFS_SUBCLASS_OF = 'http://www.w3.org/2000/01/rdf-schema#subClassOf'
/** Constraints on a value node that need the node's own description to judge (sh:or over sh:class alternatives too). */
const NEEDS_DESCRIPTION = new Set(['Class', 'Node', 'Or', 'Xone', 'And'].map(c => `${SH}${c}ConstraintComponent`))
/**
 * Constraints that report nothing on a property without values (each value is judged, or at most
 * so many may be), and what only describes a shape: a property shape of these alone, on a simple
 * path, cannot fail on a focus node that lacks the path's predicate (compileProperty).
 */
const SILENT_WITHOUT_VALUES = new Set([
  ...['maxCount', 'and', 'not', 'or', 'xone', 'in', 'disjoint', 'lessThan', 'lessThanOrEquals', 'maxExclusive', 'maxInclusive',
    'minExclusive', 'minInclusive', 'node', 'property', 'languageIn', 'maxLength', 'minLength', 'pattern', 'flags', 'uniqueLang',
    'class', 'datatype', 'nodeKind', 'path', 'name', 'description', 'message', 'severity', 'order', 'group', 'defaultValue', 'deactivated'].map(c => `${SH}${c}`),
  RDF_TYPE, 'http://www.w3.org/2000/01/rdf-schema#label', 'http://www.w3.org/2000/01/rdf-schema#comment'
])

const factory = { ...DataFactory, dataset: (quads?: Quad[]) => new Store(quads) }

/** The official shape releases gxcat ships, by the vocabulary they check. */
export const SHAPE_RELEASES = [
  { namespace: GX_2511, folder: 'gaia-x-2511' },
  { namespace: GX_DEVELOPMENT, folder: 'gaia-x-development' }
] as const

export interface GaiaxShapes {
  /** The violations of each credential (empty: conforms), in the order given. */
  validate (credentials: ReadonlyArray<Record<string, unknown>>): Promise<ShapeViolation[][]>
  /** The violations of a bare JSON-LD graph (no credential envelope): every node in it is checked. */
  validateGraph (document: Record<string, unknown>): Promise<ShapeViolation[]>
  /** How many shapes (node shapes with a target) a release has (loading it if need be). */
  shapeCount (namespace: string): number
}

interface ShapeRelease {
  namespace: string
  shapeCount: number
  subjectsOnly: boolean
  shapesFor (classIri: string): Term[] | undefined
  run (data: SmallDataset, shapes: Term[]): Promise<ValidationResult[]>
}

const releases = new Map<string, ShapeRelease>()

function release (namespace: string): ShapeRelease {
  let loaded = releases.get(namespace)
  if (loaded == null) {
    const folder = SHAPE_RELEASES.find(r => r.namespace === namespace)?.folder
    if (folder == null) throw new Error(`no shapes are bundled for ${namespace}`)
    loaded = loadRelease(namespace, folder)
    releases.set(namespace, loaded)
  }
  return loaded
}

/** The release whose vocabulary an IRI belongs to, if gxcat ships shapes for it. */
function releaseOf (iri: string): string | undefined {
  return SHAPE_RELEASES.find(r => iri.startsWith(r.namespace))?.namespace
}

let shared: GaiaxShapes | undefined

/** The process-wide shapes, each release parsed on first use. */
export function gaiaxShapes (): GaiaxShapes {
  shared ??= {
    shapeCount: namespace => release(namespace).shapeCount,
    async validate (credentials) {
      const texts = credentials.map(c => JSON.stringify(c))
      for (const r of SHAPE_RELEASES) {
        if (texts.some(text => mentions(text, r.namespace))) release(r.namespace)
      }
      // no bundled shape targets the credential envelope (checked at load): its triples and its
      // context's type-scoped terms would cost a third of the parse
      const graphs = parseGraphs(credentials, [...releases.values()].every(r => r.subjectsOnly))
      const out: ShapeViolation[][] = []
      for (let i = 0; i < credentials.length; i++) {
        const graph = graphs[i]
        out.push(graph instanceof Error
          ? [{ focusNode: String(credentials[i].id ?? '_:credential'), message: isGraphRefusal(graph) ? `${graph.name}: ${graph.message}` : `the credential is not valid JSON-LD: ${graph.message}` }]
          : placeViolations(credentials[i], graph, await validateQuads(graph)))
      }
      return out
    },
    async validateGraph (document) {
      assertGraphBounds(document, 'the document')
      const { '@context': context, ...rest } = document
      const text = JSON.stringify({ '@context': inlineGraphContexts(context), ...rest })
      let quads: Quad[]
      try {
        quads = toN3(text)
      } catch (err: any) {
        return [{ focusNode: String(document['@id'] ?? document.id ?? '_:graph'), message: `the document is not valid JSON-LD: ${err.message}` }]
      }
      return validateQuads(quads)
    }
  }
  return shared
}

/** Whether any bundled shape can apply: the credential (or its JSON text) names a Gaia-X vocabulary somewhere. */
export function mentionsGaiax (credential: Record<string, unknown> | string): boolean {
  const text = typeof credential === 'string' ? credential : JSON.stringify(credential)
  return SHAPE_RELEASES.some(r => mentions(text, r.namespace))
}

function mentions (text: string, namespace: string): boolean {
  return text.includes(namespace.slice('https://'.length, -1))
}

function loadRelease (namespace: string, folder: string): ShapeRelease {
  const { quads, inValues } = liftedShapes(new URL(`./${folder}/`, import.meta.url))
  const shapesGraph = new Store(quads)
  const validator = new Validator(shapesGraph, {
    factory,
    validations: [
      [DataFactory.namedNode(SH_IN), shape => compileIn(shape, inValues)],
      [DataFactory.namedNode(SH_PROPERTY), compileProperty],
      [DataFactory.namedNode(SH_DATATYPE), compileDatatype]
    ]
  })

  // class IRI → the shapes that target it or one of its superclasses
  const subclasses = (cls: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(cls)) return seen
    seen.add(cls)
    for (const sub of shapesGraph.getSubjects(RDFS_SUBCLASS_OF, cls, null)) subclasses(sub.value, seen)
    return seen
  }
  const shapesByClass = new Map<string, Term[]>()
  let shapeCount = 0
  for (const quad of shapesGraph.getQuads(null, `${SH}targetClass`, null, null)) {
    shapeCount++
    for (const cls of subclasses(quad.object.value)) {
      const list = shapesByClass.get(cls) ?? []
      if (!list.some(s => s.equals(quad.subject))) list.push(quad.subject)
      shapesByClass.set(cls, list)
    }
  }
  return {
    namespace,
    shapeCount,
    subjectsOnly: ![...shapesByClass.keys()].some(cls => cls.startsWith(VC_VOCABULARY)),
    shapesFor: cls => shapesByClass.get(cls),
    async run (data, shapes) {
      const report = await validator.validate({ dataset: data }, shapes.map(shape => ({ terms: [shape] })))
      return report.conforms ? [] : report.results
    }
  }
}

/** Runs the shapes that the types in a graph reach, of every release those types belong to. */
async function validateQuads (quads: Quad[]): Promise<ShapeViolation[]> {
  const byRelease = new Map<string, Map<string, Term>>()
  for (const quad of quads) {
    if (quad.predicate.value !== RDF_TYPE) continue
    const namespace = releaseOf(quad.object.value)
    if (namespace == null) continue
    for (const shape of release(namespace).shapesFor(quad.object.value) ?? []) {
      let shapes = byRelease.get(namespace)
      if (shapes == null) byRelease.set(namespace, shapes = new Map())
      shapes.set(shape.value, shape)
    }
  }
  if (byRelease.size === 0) return []
  const data = new SmallDataset(quads)
  const violations: ShapeViolation[] = []
  for (const [namespace, shapes] of byRelease) {
    const results = await release(namespace).run(data, [...shapes.values()])
    for (const result of results) {
      if (result.severity.value !== `${SH}Violation`) continue
      if (NEEDS_DESCRIPTION.has(result.constraintComponent.value) && result.value?.term.termType === 'NamedNode' &&
        !quads.some(q => q.subject.termType === 'NamedNode' && q.subject.value === result.value?.term.value)) continue
      violations.push(violationOf(result))
    }
  }
  return violations
}

/**
 * sh:property, as shacl-engine 1.1 does it (lib/validations/shape.js), except that a property
 * shape that cannot fail without values (SILENT_WITHOUT_VALUES) is not run on a focus node that
 * lacks its predicate: a Gaia-X shape lists a dozen or two properties and a credential uses a
 * few, and shacl-engine spends as long on each absent one as on one present (a ServiceOffering
 * validates in 0.11 ms instead of 0.18-0.24). Shapes that need a value (sh:minCount 1,
 * sh:hasValue, anything else) run as before.
 */
function compileProperty (shape: any): { generic: (context: any) => Promise<void> } {
  const properties = [...shape.ptr.out([DataFactory.namedNode(SH_PROPERTY)])].map((ptr: any) => ({
    shape: shape.validator.shape(ptr),
    onlyWith: predicateItNeeds(ptr.dataset.match(ptr.term, null, null, null))
  }))
  return {
    generic: async context => {
      const focus = context.valueOrNode
      const propertyContext = context.create({ focusNode: focus })
      let present: Set<string> | undefined
      for (const property of properties) {
        if (property.onlyWith != null) {
          present ??= new Set([...focus.dataset.match(focus.term, null, null, null)].map((quad: Quad) => quad.predicate.value))
          if (!present.has(property.onlyWith)) continue
        }
        await property.shape.validate(propertyContext)
      }
    }
  }
}

/** The predicate of a property shape's simple path, where the shape cannot fail without a value of it; else undefined. */
function predicateItNeeds (description: Iterable<Quad>): string | undefined {
  let path: string | undefined
  for (const quad of description) {
    if (!SILENT_WITHOUT_VALUES.has(quad.predicate.value)) return undefined
    if (quad.predicate.value !== `${SH}path`) continue
    if (path != null || quad.object.termType !== 'NamedNode') return undefined
    path = quad.object.value
  }
  return path
}

/**
 * sh:in, as shacl-engine does it, except that the allowed values come from the lists lifted out
 * of the shapes graph (lifted-shapes.ts) and their text (2,000 MIME types in one 2511 shape) is
 * joined once per shape rather than at every value checked.
 */
function compileIn (shape: any, inValues: ReadonlyMap<string, Term[]>): { generic: (context: any) => void } {
  const allowed = inValues.get(keyOf(shape.ptr.term)) ?? [...shape.ptr.out([DataFactory.namedNode(SH_IN)]).list()].map((item: any) => item.term as Term)
  const keys = new Set(allowed.map(keyOf))
  const args = { in: allowed.map(term => term.value).join(', ') }
  const component = DataFactory.namedNode(`${SH}InConstraintComponent`)
  return {
    generic: context => {
      context.test(keys.has(keyOf(context.valueOrNode.term)), component, {
        args,
        message: [context.factory.literal('Value is not in {$in}')],
        value: context.valueOrNode
      })
    }
  }
}

const xsdValidation = new XsdValidation()
/** a character beyond the Basic Multilingual Plane, written in UTF-16 as a surrogate pair */
const ASTRAL = /[\uD800-\uDBFF][\uDC00-\uDFFF]/
const EACH_ASTRAL = new RegExp(ASTRAL.source, 'g')

/**
 * sh:datatype, as shacl-engine does it, except that a character beyond the Basic Multilingual
 * Plane counts as the one character it is. shacl-engine checks the lexical form with
 * rdf-validation, whose patterns read UTF-16 code units: its xsd:string pattern excludes the
 * low surrogates, so an emoji or a name such as 𠮷野家 (CJK Extension B) in any string was a
 * violation. XSD's strings take every character from U+10000 up, and the checkers others
 * run take them too (rdf-validate-datatype takes any xsd:string; pyshacl any Unicode string).
 * Such a character is checked as a letter of the Basic Multilingual Plane, which every
 * pattern treats as it should treat the character (allowed in strings, names and URIs; a
 * number or a date stays invalid).
 */
function compileDatatype (shape: any): { generic: (context: any) => void } {
  const datatype: Term = shape.ptr.out([DataFactory.namedNode(SH_DATATYPE)]).term
  const component = DataFactory.namedNode(`${SH}DatatypeConstraintComponent`)
  return {
    generic: context => {
      const term = context.valueOrNode.term
      // the common case costs what shacl-engine's check costs: the second look only where that fails
      const valid = datatype.equals(term.datatype) && (xsdValidation.validateSimple(term) ||
        (ASTRAL.test(term.value) && xsdValidation.validateSimple({ value: term.value.replace(EACH_ASTRAL, 'x'), datatype: term.datatype })))
      context.test(valid, component, {
        args: { datatype },
        message: [context.factory.literal('Value does not have datatype {$datatype}')],
        value: context.valueOrNode
      })
    }
  }
}

function violationOf (result: ValidationResult): ShapeViolation {
  const component = result.constraintComponent.value.slice(SH.length).replace(/ConstraintComponent$/, '')
  const value = result.value?.term
  const written = result.message.map(m => m.value).filter(m => m !== '')
  const path = result.path?.[0]?.predicates?.[0]?.value
  const message = written.length > 0
    ? written.join('; ')
    : component === 'Class'
      ? `${value?.value ?? 'the value'} is not described with the class the shape requires`
      : component === 'Or'
        ? `${value?.value ?? 'the value'} matches none of the alternatives the shape allows`
        : `sh:${component.charAt(0).toLowerCase()}${component.slice(1)} is not met`
  const shape = result.shape.ptr.term
  return {
    focusNode: termText(result.focusNode.term),
    ...(path != null ? { path } : {}),
    message,
    constraint: `sh:${component}ConstraintComponent`,
    ...(value != null ? { value: termText(value) } : {}),
    ...(shape.termType === 'NamedNode' ? { shape: shape.value } : {})
  }
}

function termText (term: { termType: string, value: string }): string {
  return term.termType === 'BlankNode' ? `_:${term.value}` : term.value
}

interface Pending {
  credential: Record<string, unknown>
  resolve: (violations: ShapeViolation[]) => void
  reject: (err: Error) => void
}

let pending: Pending[] = []

/**
 * Validates one credential against the official shapes; those submitted in the same tick are
 * parsed as one batch. Credentials that use no Gaia-X vocabulary conform at once.
 */
export async function validateGaiaxShapes (credential: Record<string, unknown>): Promise<ShapeViolation[]> {
  if (!mentionsGaiax(credential)) return []
  const { promise, resolve, reject } = Promise.withResolvers<ShapeViolation[]>()
  pending.push({ credential, resolve, reject })
  if (pending.length === 1) setImmediate(flush)
  return promise
}

function flush (): void {
  const batch = pending
  pending = []
  gaiaxShapes().validate(batch.map(p => p.credential)).then(
    results => { batch.forEach((p, i) => { p.resolve(results[i]) }) },
    (err: Error) => { batch.forEach(p => { p.reject(err) }) }
  )
}

/** Runs the official Gaia-X shapes over a credential: its violations, none when it conforms. */
export interface ShapesValidator {
  /** `text`: the credential's JSON text where the caller has it (a JWS payload), which saves serialising it again */
  validate (credential: Record<string, unknown>, text?: string): Promise<ShapeViolation[]>
  /** prepares what validation needs (parses the shapes) where that is deferred until asked */
  warm? (): void
  /** resolves when it can validate without a first-use delay (once warmed, or asked to validate) */
  ready? (): Promise<void>
  /**
   * A JWS's signature checked with `key` and, if it verifies, its credential's shapes (the
   * credential read from the JWS where they run), in one step: where a pool of worker threads
   * runs the shapes, it verifies the signature there too, with synchronous node:crypto, rather
   * than the main thread sending it to libuv's thread pool and the credential to a worker separately.
   */
  verify? (job: SignedShapesJob): Promise<{ signature: boolean, violations: ShapeViolation[] }>
}

export interface SignedShapesJob {
  jws: string
  alg: string
  key: KeyObject
  /** the version's CID (its JWS's digest): what a verdict is remembered by */
  cid: string
}

/** Throws ShapeViolationError when the credential violates the official shapes, run in this thread or by `shapes` (given its JSON text if the caller has it). */
export async function assertGaiaxShapes (credential: Record<string, unknown>, shapes?: ShapesValidator, text?: string): Promise<void> {
  const violations = await (shapes != null ? shapes.validate(credential, text) : validateGaiaxShapes(credential))
  if (violations.length > 0) throw new ShapeViolationError(violations)
}
