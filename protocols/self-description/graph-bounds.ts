/**
 * What a credential's JSON must be before anything costly looks at it, in one walk over the
 * parsed document: every node id an IRI, every property name and type one that can become an
 * IRI, and no more values than any credential needs.
 *
 * Node ids: a JSON-LD processor drops a node whose id is not an absolute IRI (or a blank node),
 * with its triples, without a word: a ServiceOffering whose `credentialSubject.id` was
 * `"not an iri"` reached the shapes as an empty graph and conformed, closed shapes and all, and
 * was stored with its triples missing from SPARQL. Property names and types alike: `"gx:evil
 * thing"` expands to no IRI, so a closed shape never saw it. Every path that reads a credential
 * (publish, validate, verify, sign, gossip, sync) and the shapes themselves call this first.
 *
 * Size: the shapes, the RDF index and the structured indexes cost in proportion to the values a
 * credential holds; bounding them bounds the cost of one credential from a stranger.
 */
import { MAX_CREDENTIAL_VALUES, MAX_VALUES_PER_PROPERTY } from '../constants.ts'
import { CredentialTooComplexError, InvalidIriError } from './errors.ts'
import { characterNeverInIri, iriProblem } from './iri.ts'

/** property names and types found good before: they recur in every credential */
const goodNames = new Set<string>()
const GOOD_NAMES = 4096

/** a character of `name` that no IRI may hold, if any (remembering names without one) */
function badCharacter (name: string): string | undefined {
  if (goodNames.has(name)) return undefined
  const bad = characterNeverInIri(name)
  if (bad == null) {
    if (goodNames.size >= GOOD_NAMES) goodNames.clear()
    goodNames.add(name)
  }
  return bad
}

const ID_KEYS = new Set(['id', '@id'])
const TYPE_KEYS = new Set(['type', '@type'])

function quoted (value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
}

function codePoint (character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * Throws InvalidIriError for an id that is not an absolute IRI or a blank node (or a property
 * name or type that no IRI can hold), CredentialTooComplexError past the value limits. `what`
 * names the document in messages; each message gives the JSON path of what it refuses. Answers
 * how many values the document holds: what its shapes and indexes cost grows with.
 */
export function assertGraphBounds (document: Record<string, unknown>, what = 'the credential'): number {
  let values = 0
  // the keys and indexes down to where the walk is: a path is written only for an error
  const trail: Array<string | number> = []
  const pathOf = (key?: string): string => '$' + [...trail, ...(key != null ? [key] : [])].map(step => typeof step === 'number' ? `[${step}]` : `.${step}`).join('')
  const count = (n: number): void => {
    values += n
    if (values > MAX_CREDENTIAL_VALUES) throw new CredentialTooComplexError(`${what} holds more than ${MAX_CREDENTIAL_VALUES} values (at ${pathOf()}); no credential needs as many`)
  }
  const visitNode = (node: Record<string, unknown>): void => {
    for (const key in node) {
      if (key === '@context') continue
      const value = node[key]
      if (ID_KEYS.has(key)) {
        if (typeof value === 'string') assertNodeId(value, pathOf(key), what)
      } else if (TYPE_KEYS.has(key)) {
        for (const type of Array.isArray(value) ? value : [value]) {
          const bad = typeof type === 'string' ? badCharacter(type) : undefined
          if (bad != null) throw new InvalidIriError(`${what}: the type ${quoted(type)} at ${pathOf(key)} holds ${codePoint(bad)}, which no IRI may hold`)
        }
      } else if (!key.startsWith('@')) {
        const bad = badCharacter(key)
        if (bad != null) throw new InvalidIriError(`${what}: the property name ${quoted(key)} at ${pathOf()} holds ${codePoint(bad)}, which no IRI may hold`)
      }
      trail.push(key)
      visitValue(value)
      trail.pop()
    }
  }
  const visitValue = (value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length > MAX_VALUES_PER_PROPERTY) throw new CredentialTooComplexError(`${what} holds ${value.length} values at ${pathOf()}, more than ${MAX_VALUES_PER_PROPERTY}`)
      count(value.length)
      for (let i = 0; i < value.length; i++) {
        const item = value[i]
        if (item == null || typeof item !== 'object') continue
        trail.push(i)
        visitValue(item)
        trail.pop()
      }
    } else if (value != null && typeof value === 'object') {
      count(1)
      visitNode(value as Record<string, unknown>)
    } else {
      count(1)
    }
  }
  visitNode(document)
  // the credential's own types are each subject's too (credential.ts, subjectsOf)
  const subjects = document.credentialSubject
  const types = document.type
  if (Array.isArray(subjects) && Array.isArray(types)) {
    trail.push('credentialSubject')
    count(subjects.length * types.length)
  }
  return values
}

/** A node id: an absolute IRI, or a blank node (`_:label`). */
export function assertNodeId (id: string, path: string, what = 'the credential'): void {
  if (id.startsWith('_:')) {
    const bad = characterNeverInIri(id)
    if (bad != null) throw new InvalidIriError(`${what}: the blank node ${quoted(id)} at ${path} holds ${codePoint(bad)}`)
    return
  }
  const problem = iriProblem(id)
  if (problem != null) throw new InvalidIriError(`${what}: ${path} ${quoted(id)} is not an absolute IRI (${problem})`)
}
