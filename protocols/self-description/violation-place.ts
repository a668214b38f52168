/**
 * Where in the submitted JSON a shape violation is. SHACL reports a focus node of the RDF graph
 * (often a blank node, `_:b0`, which its author never wrote) and a property IRI; a person needs
 * `credentialSubject.gx:serviceOfferingTermsAndConditions.gx:url`. The focus node is traced up
 * the graph to the credential's subject, then the same predicates are followed down the JSON,
 * through the keys that expand to them (as written: `gx:url`, `url`, a full IRI). Where the JSON
 * cannot be followed (a term defined in a nested context), the rest of the place is the IRIs,
 * compacted. Only a credential that violates its shapes pays for this.
 */
import type { Quad, Term } from 'n3'
import { GX_2511, GX_DEVELOPMENT, VC_VOCABULARY } from '../constants.ts'
import { expandTerm, readContexts, type TermMap } from './vocabulary.ts'
import type { ShapeViolation } from './errors.ts'

const CREDENTIAL_SUBJECT = `${VC_VOCABULARY}credentialSubject`
const SKIPPED_KEYS = new Set(['id', '@id', 'type', '@type', '@context'])
const COMPACT: ReadonlyArray<[string, string]> = [
  [GX_2511, 'gx:'], [GX_DEVELOPMENT, 'gx:'], ['https://schema.org/', 'schema:'], [VC_VOCABULARY, 'cred:'],
  ['http://www.w3.org/2001/XMLSchema#', 'xsd:'], ['http://www.w3.org/ns/shacl#', 'sh:']
]

type Json = Record<string, unknown>

/** The violations with `at`, their place in `credential`, where it can be told. */
export function placeViolations (credential: Json, quads: readonly Quad[], violations: ShapeViolation[]): ShapeViolation[] {
  if (violations.length === 0) return violations
  const incoming = new Map<string, Quad[]>()
  for (const quad of quads) {
    if (quad.object.termType !== 'NamedNode' && quad.object.termType !== 'BlankNode') continue
    const key = keyOf(quad.object)
    const list = incoming.get(key)
    if (list == null) incoming.set(key, [quad])
    else list.push(quad)
  }
  const terms = readContexts(credential['@context'])
  return violations.map(violation => {
    const at = placeOf(credential, terms, quads, incoming, violation)
    return at == null ? violation : { ...violation, at }
  })
}

/** The IRI as people write it: a known prefix, or the IRI whole. */
export function compactIri (iri: string): string {
  for (const [namespace, prefix] of COMPACT) if (iri.startsWith(namespace)) return prefix + iri.slice(namespace.length)
  return iri
}

function keyOf (term: { termType: string, value: string }): string {
  return (term.termType === 'BlankNode' ? '_:' : '') + term.value
}

function placeOf (credential: Json, terms: TermMap, quads: readonly Quad[], incoming: Map<string, Quad[]>, violation: ShapeViolation): string | undefined {
  const subjects = [credential.credentialSubject].flat().filter((s): s is Json => s != null && typeof s === 'object')
  const subjectIds = new Set(subjects.map(s => String(s.id ?? s['@id'] ?? '')))
  // the predicates from the subject down to the focus node, and the nodes they lead to
  const steps: Array<{ predicate: string, node: Term }> = []
  let node = violation.focusNode
  const seen = new Set<string>()
  while (!subjectIds.has(node) && !seen.has(node)) {
    seen.add(node)
    const edge = incoming.get(node)?.find(q => !seen.has(keyOf(q.subject)))
    if (edge == null || edge.predicate.value === CREDENTIAL_SUBJECT) break
    steps.unshift({ predicate: edge.predicate.value, node: edge.object as Term })
    node = keyOf(edge.subject)
  }
  const candidates = subjectIds.has(node) ? subjects.filter(s => String(s.id ?? s['@id']) === node) : subjects
  const index = subjects.length > 1 ? (s: Json) => `credentialSubject[${subjects.indexOf(s)}]` : () => 'credentialSubject'
  const last = violation.path
  for (const subject of candidates) {
    const place = follow(subject, index(subject), steps, last, terms, quads)
    if (place != null) return place
  }
  return undefined
}

/** Follows the steps down from a subject's JSON; undefined where its first step is not in it. */
function follow (subject: Json, start: string, steps: ReadonlyArray<{ predicate: string, node: Term }>, last: string | undefined, terms: TermMap, quads: readonly Quad[]): string | undefined {
  let place = start
  let json: Json | undefined = subject
  for (const [i, { predicate, node }] of steps.entries()) {
    const key = json == null ? undefined : keyFor(json, predicate, terms)
    if (key == null || json == null) {
      if (i === 0) return undefined
      place += `.${compactIri(predicate)}`
      json = undefined
      continue
    }
    const value: unknown = json[key]
    place += `.${key}`
    if (Array.isArray(value)) {
      const at = elementFor(value, node, terms, quads)
      place += `[${at < 0 ? '' : at}]`
      json = at < 0 ? undefined : value[at] as Json
    } else {
      json = value != null && typeof value === 'object' ? value as Json : undefined
    }
  }
  if (last != null) {
    const key = json == null ? undefined : keyFor(json, last, terms)
    place += `.${key ?? compactIri(last)}`
  }
  return place
}

function keyFor (json: Json, predicate: string, terms: TermMap): string | undefined {
  for (const key of Object.keys(json)) {
    if (SKIPPED_KEYS.has(key)) continue
    if (key === predicate || expandTerm(key, terms) === predicate) return key
  }
  return undefined
}

/** Which element of a JSON array is the RDF node: by its id, else the object whose keys and values the node's triples match best (-1: none). */
function elementFor (values: unknown[], node: Term, terms: TermMap, quads: readonly Quad[]): number {
  const objects = values.map((v, i) => ({ v, i })).filter((e): e is { v: Json, i: number } => e.v != null && typeof e.v === 'object')
  if (node.termType === 'NamedNode') return objects.find(({ v }) => (v.id ?? v['@id']) === node.value)?.i ?? -1
  if (objects.length === 1) return objects[0].i
  const objectsOf = new Map<string, Set<string>>()
  for (const q of quads) {
    if (!q.subject.equals(node)) continue
    const set = objectsOf.get(q.predicate.value) ?? new Set<string>()
    objectsOf.set(q.predicate.value, set.add(q.object.value))
  }
  let best = -1
  let bestScore = -1
  for (const { v, i } of objects) {
    let score = 0
    for (const [key, raw] of Object.entries(v)) {
      const found = objectsOf.get(expandTerm(key, terms))
      if (found == null) continue
      score++
      for (const value of [raw].flat()) if (found.has(plainValue(value))) score++
    }
    if (score > bestScore) { best = i; bestScore = score }
  }
  return best
}

/** A JSON value as its RDF term's value reads: a literal's text, a node's id. */
function plainValue (value: unknown): string {
  if (value != null && typeof value === 'object') {
    const v = value as Json
    return String(v['@value'] ?? v.id ?? v['@id'] ?? '')
  }
  return String(value)
}
