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
  const count = (path: string, n: number): void => {
    values += n
    if (values > MAX_CREDENTIAL_VALUES) throw new CredentialTooComplexError(`${what} holds more than ${MAX_CREDENTIAL_VALUES} values (at ${path}); no credential needs as many`)
  }
  const visitNode = (node: Record<string, unknown>, path: string): void => {
    for (const key in node) {
      if (key === '@context') continue
      const value = node[key]
      const at = `${path}.${key}`
      if (ID_KEYS.has(key)) {
        if (typeof value === 'string') assertNodeId(value, at, what)
      } else if (TYPE_KEYS.has(key)) {
        for (const type of Array.isArray(value) ? value : [value]) {
          const bad = typeof type === 'string' ? characterNeverInIri(type) : undefined
          if (bad != null) throw new InvalidIriError(`${what}: the type ${quoted(type)} at ${at} holds ${codePoint(bad)}, which no IRI may hold`)
        }
      } else if (!key.startsWith('@')) {
        const bad = characterNeverInIri(key)
        if (bad != null) throw new InvalidIriError(`${what}: the property name ${quoted(key)} at ${path} holds ${codePoint(bad)}, which no IRI may hold`)
      }
      visitValue(value, at)
    }
  }
  const visitValue = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      if (value.length > MAX_VALUES_PER_PROPERTY) throw new CredentialTooComplexError(`${what} holds ${value.length} values at ${path}, more than ${MAX_VALUES_PER_PROPERTY}`)
      count(path, value.length)
      for (let i = 0; i < value.length; i++) {
        const item = value[i]
        if (item != null && typeof item === 'object') visitValue(item, `${path}[${i}]`)
      }
    } else if (value != null && typeof value === 'object') {
      count(path, 1)
      visitNode(value as Record<string, unknown>, path)
    } else {
      count(path, 1)
    }
  }
  visitNode(document, '$')
  // the credential's own types are each subject's too (credential.ts, subjectsOf)
  const subjects = document.credentialSubject
  const types = document.type
  if (Array.isArray(subjects) && Array.isArray(types)) count('$.credentialSubject', subjects.length * types.length)
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
