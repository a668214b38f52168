/**
 * What a self-description contributes to the structured indexes: its types (Gaia-X types by
 * `gx:Name`, so both vocabularies match), its issuer, the words of its literals (full text)
 * and its literal property values (property equality).
 */
// the modules it needs, not the protocol's index: a shapes worker loads this (prepare.ts)
import { expandTerm, gaiaxLocalName, readContexts, type TermMap } from '../../protocols/self-description/vocabulary.ts'
import type { VerifiedCredential } from '../../protocols/self-description/verify.ts'
import { MAX_INDEXED_VALUE_LENGTH, MAX_TOKENS_PER_ENTRY } from '../constants.ts'

/** a term map's keys are the credential's own: bounded, so that odd credentials cannot grow the cache */
const MAX_CACHED_PROPERTY_KEYS = 1024
const STOPWORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'with'])
const WORD = /[\p{L}\p{N}]+/gu
const ASCII_WORD = /[a-z0-9]+/g
// eslint-disable-next-line no-control-regex -- every ASCII character, control ones included
const ASCII = /^[\x00-\x7f]*$/

/** Lower-case word tokens of a text, without stopwords or one-letter words. */
export function tokenize (text: string): string[] {
  const out: string[] = []
  // NFKC leaves ASCII as it is, and an ASCII word is letters and digits: the cheap path gives the same words
  const lower = text.toLowerCase()
  const ascii = ASCII.test(lower)
  for (const match of ascii ? lower.matchAll(ASCII_WORD) : lower.normalize('NFKC').matchAll(WORD)) {
    const word = match[0]
    if (word.length > 1 && word.length <= 64 && !STOPWORDS.has(word)) out.push(word)
  }
  return out
}

/** The key a type is indexed under: `gx:Name` for either Gaia-X vocabulary, else the IRI. */
export function typeKey (iri: string): string {
  const local = gaiaxLocalName(iri)
  return local != null ? `gx:${local}` : iri
}

/** A type as a user writes it in a filter (`gx:LegalPerson`, a full IRI) → its index key. */
export function typeKeyOfFilter (value: string): string {
  if (value.startsWith('gx:')) return value
  return typeKey(value)
}

/** The key a property is indexed under (the same rule as types). */
export function propertyKey (iri: string): string {
  return typeKey(iri)
}

export interface IndexTerms {
  types: string[]
  tokens: string[]
  properties: Array<[string, string]>
}

/** property keys by term, per term map (readContexts keeps one map per list of contexts) */
const propertyKeys = new WeakMap<TermMap, Map<string, string>>()

function propertyKeyOf (key: string, terms: TermMap): string {
  let keys = propertyKeys.get(terms)
  if (keys == null) propertyKeys.set(terms, keys = new Map())
  let prop = keys.get(key)
  if (prop == null) {
    prop = propertyKey(expandTerm(key, terms))
    if (keys.size < MAX_CACHED_PROPERTY_KEYS) keys.set(key, prop)
  }
  return prop
}

export function indexTerms (verified: VerifiedCredential): IndexTerms {
  const terms = readContexts(verified.credential['@context'])
  const tokens = new Set<string>()
  const properties = new Map<string, [string, string]>()
  const visit = (node: Record<string, unknown>, depth: number): void => {
    for (const [key, raw] of Object.entries(node)) {
      if (key === 'id' || key === '@id' || key === 'type' || key === '@type' || key === '@context') continue
      const prop = propertyKeyOf(key, terms)
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        const plain = value != null && typeof value === 'object' && '@value' in value ? (value as any)['@value'] : value
        if (typeof plain === 'string' || typeof plain === 'number' || typeof plain === 'boolean') {
          const text = String(plain)
          if (typeof plain === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) for (const t of tokenize(text)) tokens.add(t)
          if (text.length <= MAX_INDEXED_VALUE_LENGTH) properties.set(`${prop}\u0000${text}`, [prop, text])
        } else if (value != null && typeof value === 'object' && depth < 3) {
          const ref = (value as any).id ?? (value as any)['@id']
          if (typeof ref === 'string' && ref.length <= MAX_INDEXED_VALUE_LENGTH) properties.set(`${prop}\u0000${ref}`, [prop, ref])
          visit(value as Record<string, unknown>, depth + 1)
        }
      }
    }
  }
  visit(verified.credential.credentialSubject, 0)
  return {
    types: [...new Set(verified.typeIris.map(typeKey))],
    tokens: [...tokens].slice(0, MAX_TOKENS_PER_ENTRY),
    properties: [...properties.values()]
  }
}
