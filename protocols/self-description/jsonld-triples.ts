/**
 * JSON-LD → RDF for the documents gxcat reads most, without a general JSON-LD processor.
 *
 * A credential names its contexts by URL, and gxcat bundles every context it accepts, so the
 * term map is known before the document is read: the contexts are compiled once (term → IRI,
 * type coercion, keyword aliases, scoped contexts) and a document is then walked once. That is
 * about ten times cheaper than handing it to Oxigraph (the JSON-LD parse was half of what the
 * shapes and the SPARQL index cost per credential) and it yields the same triples.
 *
 * It covers the part of JSON-LD 1.1 that the bundled contexts and Loire credentials use: node
 * objects, `@id`/`@type` and their aliases, type coercion (`@id`, `@vocab`, datatypes), value
 * objects with a datatype, type-scoped contexts (not propagated) and property-scoped ones,
 * strings, booleans and integers. Anything else (inline contexts, lists, language tags, `@graph`
 * containers, `@reverse`, `@json`, relative IRIs, IRIs it cannot vouch for, doubles, …) makes
 * it answer `undefined`, and the caller hands that document to Oxigraph as before: the two must
 * never disagree, which test/protocols/self-description/jsonld-triples.test.ts checks on every
 * corpus gxcat has.
 *
 * No library does this: jsonld.js and Oxigraph implement the whole algorithm, context
 * processing included, for every document.
 */
import { InvalidIriError } from './errors.ts'
import { iriProblem, isPlainIri } from './iri.ts'
import { RDF_CONTEXTS } from './vocabulary.ts'
import { tripleKey, XSD, type RdfLiteral, type RdfTriple } from './rdf-terms.ts'

export const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'

interface Definition {
  /** null: the term is mapped to nothing (its entries are dropped) */
  iri: string | null
  /** `@id` or `@type`: the term is an alias of that keyword */
  keyword?: '@id' | '@type'
  type?: string
  scoped?: unknown
  prefix: boolean
  /** a feature this reader leaves to a full processor (containers other than @set, @reverse, languages, …) */
  unsupported: boolean
}

interface ActiveContext {
  terms: Map<string, Definition>
  vocab: string | null
  /** the context a type-scoped one reverts to in nested node objects */
  previous?: ActiveContext
  /** scoped contexts applied to this one, by term and propagation */
  applied: Map<string, ActiveContext>
}

/** Thrown inside the walk when a document leaves the subset; never escapes this module. */
class BeyondSubset extends Error {}

function beyond (): never {
  throw new BeyondSubset()
}

const KEYWORD_ALIASES = new Set(['@id', '@type'])
const TYPE_KEYWORDS = new Set(['@id', '@vocab', '@json', '@none'])
const SUPPORTED_DEFINITION_KEYS = new Set(['@id', '@type', '@container', '@context'])

function isAbsoluteIriLike (value: string): boolean {
  const colon = value.indexOf(':')
  return colon > 0 && value.slice(0, 2) !== '_:'
}

/** IRIs checked before (predicates, types, issuers recur in every credential) */
const vouched = new Set<string>()
const VOUCHED_IRIS = 8192

/**
 * An IRI this reader writes: one that is no IRI at all is refused by name (Oxigraph would drop its
 * node or triple, and the shapes judge a graph without it); one the pattern is unsure of goes to
 * Oxigraph to judge.
 */
function checkedIri (value: string): string {
  if (vouched.has(value)) return value
  if (!isPlainIri(value)) {
    const problem = iriProblem(value)
    if (problem != null) throw new InvalidIriError(`${JSON.stringify(value.slice(0, 80))} is not an absolute IRI (${problem})`)
    beyond()
  }
  if (vouched.size >= VOUCHED_IRIS) vouched.clear()
  vouched.add(value)
  return value
}

/** IRI expansion (JSON-LD 1.1 §5.2) against a finished context; null: mapped to nothing. */
function expandIri (context: ActiveContext, value: string, vocab: boolean): string | null {
  if (value.startsWith('@')) return KEYWORD_ALIASES.has(value) ? value : beyond()
  if (vocab) {
    const definition = context.terms.get(value)
    if (definition !== undefined) {
      if (definition.unsupported) beyond()
      return definition.keyword ?? definition.iri
    }
  }
  const colon = value.indexOf(':')
  if (colon > 0) {
    const prefix = value.slice(0, colon)
    const suffix = value.slice(colon + 1)
    if (prefix === '_') beyond() // blank node identifiers: left to Oxigraph
    if (suffix.startsWith('//')) return value
    const definition = context.terms.get(prefix)
    if (definition === undefined) return value
    if (!definition.prefix || definition.iri == null) beyond() // a term that is no prefix: the rules differ by processing mode
    return definition.iri + suffix
  }
  if (colon === 0) beyond()
  if (vocab && context.vocab != null) return context.vocab + value
  return beyond() // relative to a base the document does not have
}

/** Context processing (JSON-LD 1.1 §4.1) of bundled or scoped definitions onto `active`. */
function processContext (active: ActiveContext, local: unknown, propagate: boolean): ActiveContext {
  const result: ActiveContext = { terms: new Map(active.terms), vocab: active.vocab, applied: new Map() }
  if (active.previous != null) result.previous = active.previous
  if (!propagate && result.previous == null) result.previous = active
  for (const item of Array.isArray(local) ? local : [local]) {
    let definitions: unknown = item
    if (typeof item === 'string') definitions = RDF_CONTEXTS.get(item) ?? beyond()
    if (definitions == null || typeof definitions !== 'object' || Array.isArray(definitions)) beyond()
    const map = definitions as Record<string, unknown>
    for (const key of Object.keys(map)) {
      if (key === '@vocab') {
        const vocab = map[key]
        if (vocab === null) result.vocab = null
        else if (typeof vocab === 'string' && isAbsoluteIriLike(vocab)) result.vocab = vocab
        else beyond()
      } else if (key.startsWith('@') && key !== '@version') {
        beyond() // @base, @language, @direction, @import, @propagate, @protected
      }
    }
    const defined = new Map<string, boolean>()
    for (const term of Object.keys(map)) {
      if (!term.startsWith('@')) defineTerm(result, map, term, defined)
    }
  }
  return result
}

function defineTerm (context: ActiveContext, local: Record<string, unknown>, term: string, defined: Map<string, boolean>): void {
  const state = defined.get(term)
  if (state === true) return
  if (state === false) beyond() // cyclic definitions
  defined.set(term, false)
  if (term === '' || term.includes(':') || term.includes('/')) beyond()
  const value = local[term]
  // IRIs inside a definition may use terms of the same context: define those first
  const expand = (iri: string, vocab: boolean): string | null => {
    const colon = iri.indexOf(':')
    const dependency = colon > 0 ? iri.slice(0, colon) : iri
    if (dependency !== term && Object.hasOwn(local, dependency) && !dependency.startsWith('@')) defineTerm(context, local, dependency, defined)
    return expandIri(context, iri, vocab)
  }
  let definition: Definition
  if (value === null) {
    definition = { iri: null, prefix: false, unsupported: false }
  } else if (typeof value === 'string') {
    if (KEYWORD_ALIASES.has(value)) {
      definition = { iri: null, keyword: value as '@id' | '@type', prefix: false, unsupported: false }
    } else {
      const iri = expand(value, true)
      if (iri == null || !isAbsoluteIriLike(iri)) beyond()
      definition = { iri, prefix: /[:/?#[\]@]$/.test(iri), unsupported: false }
    }
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    const map = value as Record<string, unknown>
    const unsupported = Object.keys(map).some(key => !SUPPORTED_DEFINITION_KEYS.has(key)) ||
      (map['@container'] !== undefined && map['@container'] !== '@set')
    let iri: string | null
    let keyword: '@id' | '@type' | undefined
    if (!Object.hasOwn(map, '@id')) {
      iri = context.vocab != null ? context.vocab + term : beyond()
    } else if (map['@id'] === null) {
      iri = null
    } else if (typeof map['@id'] === 'string' && KEYWORD_ALIASES.has(map['@id'])) {
      if (Object.keys(map).length > 1) beyond()
      iri = null
      keyword = map['@id'] as '@id' | '@type'
    } else if (typeof map['@id'] === 'string') {
      iri = expand(map['@id'], true)
      if (iri == null || !isAbsoluteIriLike(iri)) beyond()
    } else {
      return beyond()
    }
    let type: string | undefined
    if (map['@type'] !== undefined) {
      if (typeof map['@type'] !== 'string') beyond()
      const expanded = TYPE_KEYWORDS.has(map['@type']) ? map['@type'] : expand(map['@type'], true)
      if (expanded == null || (!isAbsoluteIriLike(expanded) && !TYPE_KEYWORDS.has(expanded))) beyond()
      type = expanded
    }
    definition = { iri, prefix: false, unsupported, ...(keyword != null ? { keyword } : {}), ...(type != null ? { type } : {}), ...(map['@context'] !== undefined ? { scoped: map['@context'] } : {}) }
  } else {
    return beyond()
  }
  context.terms.set(term, definition)
  defined.set(term, true)
}

/** A scoped context applied to `active`, remembered: most documents apply the same few. */
function applyScoped (active: ActiveContext, term: string, scoped: unknown, propagate: boolean, kind = propagate ? 'property' : 'type'): ActiveContext {
  const key = `${kind} ${term}`
  let context = active.applied.get(key)
  if (context == null) {
    context = processContext(active, scoped, propagate)
    active.applied.set(key, context)
    if (active.applied.size > 256) active.applied.delete(active.applied.keys().next().value as string)
  }
  return context
}

const EMPTY: ActiveContext = { terms: new Map(), vocab: null, applied: new Map() }
const compiled = new Map<string, ActiveContext | null>()

/** The active context of a document's `@context` (bundled URLs and inline definitions); null where it leaves the subset. */
function contextOf (value: unknown): ActiveContext | null {
  const list = Array.isArray(value) ? value : [value]
  const key = list.every(entry => typeof entry === 'string') ? list.join('\n') : JSON.stringify(list)
  let context = compiled.get(key)
  if (context === undefined) {
    try {
      context = processContext(EMPTY, list, true)
    } catch (err) {
      if (!(err instanceof BeyondSubset)) throw err
      context = null
    }
    compiled.set(key, context)
    if (compiled.size > 64) compiled.delete(compiled.keys().next().value as string)
  }
  return context
}

function keywordOf (context: ActiveContext, key: string): string | undefined {
  return key.startsWith('@') ? key : context.terms.get(key)?.keyword
}

/** a subject's triples up to this many are scanned for a duplicate; past it they are kept as keys */
const SCAN_TRIPLES = 32

class Walk {
  readonly triples: RdfTriple[] = []
  private readonly bySubject = new Map<string, RdfTriple[]>()
  /** the triples of subjects with many, as keys: scanning those for a duplicate would grow with their square */
  private readonly manyBySubject = new Map<string, Set<string>>()
  private blanks = 0
  private readonly blankPrefix: string

  constructor (blankPrefix: string) {
    this.blankPrefix = blankPrefix
  }

  /** Adds a triple unless the graph has it (a value written twice, two keys for one IRI, one node described twice). */
  emit (subject: string, predicate: string, object: string | RdfLiteral): void {
    let triples = this.bySubject.get(subject)
    if (triples == null) {
      this.bySubject.set(subject, triples = [])
    } else if (triples.length < SCAN_TRIPLES) {
      for (const triple of triples) {
        if (triple.predicate !== predicate) continue
        const other = triple.object
        if (typeof object === 'string' ? other === object : typeof other !== 'string' && other.value === object.value && other.datatype === object.datatype) return
      }
    } else {
      let keys = this.manyBySubject.get(subject)
      if (keys == null) this.manyBySubject.set(subject, keys = new Set(triples.map(t => tripleKey(t.predicate, t.object))))
      const key = tripleKey(predicate, object)
      if (keys.has(key)) return
      keys.add(key)
    }
    const triple = { subject, predicate, object }
    triples.push(triple)
    this.triples.push(triple)
  }

  /** The node's subject, its triples emitted (JSON-LD 1.1 expansion §5.1 and RDF §8.2, for the subset). */
  node (value: Record<string, unknown>, context: ActiveContext): string {
    const keys = Object.keys(value).filter(key => key !== '@context')
    if (keys.length === 0) beyond()
    // an embedded context (a subject that adds `schema:` as a prefix, as notaries write)
    if (value['@context'] !== undefined) context = applyScoped(context, JSON.stringify(value['@context']), value['@context'], true, 'embedded')
    const typeScoped = context
    const typeKeys = keys.filter(key => keywordOf(context, key) === '@type').sort()
    const types: string[] = []
    for (const key of typeKeys) {
      const list = ([] as unknown[]).concat(value[key])
      for (const type of list) if (typeof type !== 'string') beyond()
      for (const type of [...list as string[]].sort()) {
        const definition = typeScoped.terms.get(type)
        if (definition?.scoped !== undefined) context = applyScoped(context, type, definition.scoped, false)
      }
      for (const type of list as string[]) {
        const iri = expandIri(typeScoped, type, true)
        if (iri == null || iri.startsWith('@')) beyond()
        types.push(checkedIri(iri))
      }
    }
    let subject: string | undefined
    const properties: string[] = []
    for (const key of keys) {
      const keyword = keywordOf(context, key)
      if (keyword === '@type' || typeKeys.includes(key)) {
        if (keyword !== '@type' || !typeKeys.includes(key)) beyond()
      } else if (keyword === '@id') {
        const id = value[key]
        if (typeof id !== 'string' || subject != null) beyond()
        const iri = expandIri(context, id, false)
        if (iri == null) beyond()
        subject = checkedIri(iri)
      } else if (keyword != null) {
        beyond() // @context, @graph, @reverse, @included, @nest, @index, @value outside a value, …
      } else if (value[key] !== null) {
        properties.push(key)
      }
    }
    subject ??= `_:${this.blankPrefix}${this.blanks++}`
    for (const type of types) this.emit(subject, RDF_TYPE, type)
    for (const key of properties) {
      const definition = context.terms.get(key)
      if (definition?.unsupported === true) beyond()
      const predicate = expandIri(context, key, true)
      if (predicate == null || !predicate.includes(':')) continue // dropped, as JSON-LD drops what maps to no IRI
      if (predicate.startsWith('_:') || predicate.startsWith('@')) beyond()
      checkedIri(predicate)
      for (const item of Array.isArray(value[key]) ? value[key] : [value[key]]) {
        if (item === null) continue
        this.emit(subject, predicate, this.value(item, key, definition, context))
      }
    }
    return subject
  }

  private value (item: unknown, key: string, definition: Definition | undefined, context: ActiveContext): string | RdfLiteral {
    if (Array.isArray(item)) return beyond() // lists of lists
    if (typeof item === 'object' && item != null) {
      const map = item as Record<string, unknown>
      const keys = Object.keys(map)
      const onlyId = keys.length === 1 && keywordOf(context, keys[0]) === '@id'
      // a nested node object leaves the type-scoped context of its parent (not propagated); a
      // value object or a bare reference keeps it
      let inner = onlyId || Object.hasOwn(map, '@value') ? context : context.previous ?? context
      if (definition?.scoped !== undefined) inner = applyScoped(inner, key, definition.scoped, true)
      return Object.hasOwn(map, '@value') ? this.literal(map, inner) : this.node(map, inner)
    }
    const scalarContext = definition?.scoped !== undefined ? applyScoped(context, key, definition.scoped, true) : context
    const type = scalarContext.terms.get(key)?.type
    if (typeof item === 'string') {
      if (!item.isWellFormed()) beyond()
      if (type === '@id' || type === '@vocab') {
        const iri = expandIri(scalarContext, item, type === '@vocab')
        if (iri == null || iri.startsWith('@')) beyond()
        return checkedIri(iri)
      }
      if (type === '@json' || type === '@none') beyond()
      return { value: item, datatype: type ?? `${XSD}string` }
    }
    if (typeof item === 'boolean') {
      return { value: String(item), datatype: type != null && !type.startsWith('@') ? type : `${XSD}boolean` }
    }
    if (typeof item === 'number' && Number.isInteger(item) && Math.abs(item) < 1e21 && (type == null || type === '@id' || type === '@vocab' || type === `${XSD}integer`)) {
      return { value: String(item), datatype: `${XSD}integer` }
    }
    return beyond() // doubles, numbers of another datatype
  }

  private literal (map: Record<string, unknown>, context: ActiveContext): RdfLiteral {
    const value = map['@value']
    const type = map['@type']
    if (typeof value !== 'string' || !value.isWellFormed() || Object.keys(map).some(k => k !== '@value' && k !== '@type')) beyond()
    if (type === undefined) return { value, datatype: `${XSD}string` }
    if (typeof type !== 'string') beyond()
    const iri = expandIri(context, type, true)
    if (iri == null || iri.startsWith('@')) beyond()
    return { value, datatype: checkedIri(iri) }
  }
}

/**
 * The triples of JSON-LD node objects read with `@context` (a list of bundled context URLs):
 * blank nodes are labelled `_:<blankPrefix><n>`. Undefined when the document needs more of
 * JSON-LD than this reader covers: the caller then asks a full processor. Throws
 * InvalidIriError for an IRI it would write that is no IRI.
 */
export function triplesOf (context: unknown, nodes: readonly unknown[], blankPrefix = 'b'): RdfTriple[] | undefined {
  const active = contextOf(context)
  if (active == null) return undefined
  const walk = new Walk(blankPrefix)
  try {
    for (const node of nodes) {
      if (node == null || typeof node !== 'object' || Array.isArray(node)) return undefined
      walk.node(node as Record<string, unknown>, active)
    }
  } catch (err) {
    if (err instanceof BeyondSubset) return undefined
    throw err
  }
  return walk.triples
}
