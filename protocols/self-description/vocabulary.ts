/**
 * Bundled JSON-LD contexts and term expansion. Nothing is ever downloaded: a context that is
 * not bundled is an UnknownContextError. The contexts are bundled complete, as their publishers
 * serve them (contexts/SOURCE.md): `@vocab`, prefixes and term definitions, so a bare term
 * (`gaiaxTermsAndConditions`) expands to the IRI the published context gives. Expansion here
 * covers what gxcat needs to read a credential (types, property names); full JSON-LD → RDF is
 * left to Oxigraph, given the same bundled contexts inline (see inlineContexts).
 */
import { readFileSync } from 'node:fs'
import { contexts as vcContexts } from '@digitalbazaar/credentials-context'
import { GX_2511, GX_DEVELOPMENT, VC1_CONTEXT, VC2_CONTEXT, VC2_EXAMPLES_CONTEXT, VC_VOCABULARY } from '../constants.ts'
import { UnknownContextError, UnsupportedFormatError } from './errors.ts'

const VC2_DOCUMENT: Record<string, any> = vcContexts.get(VC2_CONTEXT) ?? { '@context': {} }

const COMMON_PREFIXES = {
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  schema: 'https://schema.org/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  dcterms: 'http://purl.org/dc/terms/',
  odrl: 'http://www.w3.org/ns/odrl/2/'
}

function bundled (name: string): Record<string, any> {
  const document = JSON.parse(readFileSync(new URL(`./contexts/${name}`, import.meta.url), 'utf8'))
  return { '@context': document['@context'] }
}

const GX_2511_DOCUMENT = bundled('gaia-x-2511.jsonld')
const GX_DEVELOPMENT_DOCUMENT = bundled('gaia-x-development.jsonld')
const SCHEMA_ORG_DOCUMENT = bundled('schema-org.jsonld')

/**
 * The IRIs a namespace's context is named by in the wild: with `#`, with `/`, bare, and
 * `…/context` (ontology-management-base's `iri_variants` and context catalogue do the same).
 */
function namesOf (namespace: string): string[] {
  const bare = namespace.replace(/[#/]$/, '')
  return [`${bare}#`, `${bare}/`, bare, `${bare}/context`]
}

/**
 * Context documents shipped with gxcat (contexts/SOURCE.md), each with the URLs a credential
 * names it by, the one an error names first.
 */
const BUNDLED: ReadonlyArray<{ names: string[], document: Record<string, any> }> = [
  { names: [VC2_CONTEXT], document: VC2_DOCUMENT },
  { names: [VC2_EXAMPLES_CONTEXT], document: bundled('credentials-examples-v2.jsonld') },
  { names: namesOf(GX_2511), document: GX_2511_DOCUMENT },
  { names: namesOf(GX_DEVELOPMENT), document: GX_DEVELOPMENT_DOCUMENT },
  // ontology-management-base's catalogue names the schema.org context for schema.org and for the
  // vCard and DCAT namespaces, which publish no JSON-LD context of their own
  { names: ['https://schema.org/', 'https://schema.org', 'http://schema.org/', 'http://schema.org'], document: SCHEMA_ORG_DOCUMENT },
  { names: namesOf('http://www.w3.org/2006/vcard/ns#'), document: SCHEMA_ORG_DOCUMENT },
  { names: namesOf('http://www.w3.org/ns/dcat#'), document: SCHEMA_ORG_DOCUMENT },
  { names: ['https://www.w3.org/ns/credentials/status/v1'], document: bundled('credentials-status-v1.jsonld') },
  { names: ['https://www.w3.org/ns/did/v1'], document: bundled('did-v1.jsonld') },
  { names: ['https://w3id.org/security/suites/secp256k1recovery-2020/v2'], document: bundled('secp256k1recovery-2020-v2.jsonld') }
]

/** Context documents shipped with gxcat, by every URL a credential names them with. */
export const BUNDLED_CONTEXTS: ReadonlyMap<string, Record<string, any>> = new Map(BUNDLED.flatMap(({ names, document }) => names.map(name => [name, document] as const)))

/** The bundled contexts as an error names them: one URL each. */
const BUNDLED_NAMES = BUNDLED.map(({ names }) => names[0]).join(', ')

const VC_TERMS = new Set(Object.keys(VC2_DOCUMENT['@context']).filter(t => !t.startsWith('@')))
const ISSUER_DEPENDENT = 'https://www.w3.org/ns/credentials/issuer-dependent#'

/** What a credential's `@context` lets gxcat expand: prefixes and a default vocabulary. */
export interface TermMap {
  prefixes: Map<string, string>
  vocab: string
  terms: Map<string, string>
}

/** A bundled context by its URL; a URL gxcat does not bundle is an UnknownContextError. */
function bundledContext<T> (url: string, document: T | undefined): T {
  if (document == null) throw new UnknownContextError(`@context ${url} is not bundled with gxcat (bundled: ${BUNDLED_NAMES}); gxcat never downloads contexts`)
  return document
}

/** An inline `@context` entry: an object, never anything else. */
function inlineContext (entry: unknown): Record<string, unknown> {
  if (entry == null || typeof entry !== 'object' || Array.isArray(entry)) throw new UnknownContextError(`@context entries are URLs or objects, not ${JSON.stringify(entry)?.slice(0, 100)}`)
  return entry as Record<string, unknown>
}

/** Term maps of contexts written only with URLs (the common case), by the URLs. */
const termMaps = new Map<string, TermMap>()

/** Checks a `@context` value and returns the term map it defines. */
export function readContexts (value: unknown): TermMap {
  const list = Array.isArray(value) ? value : [value]
  if (list[0] === VC1_CONTEXT) {
    throw new UnsupportedFormatError('this is a VC 1.1 credential (context https://www.w3.org/2018/credentials/v1, as Gaia-X Tagus/Elbe used); gxcat takes VC 2.0 credentials secured as VC-JWT (Loire)')
  }
  if (list[0] !== VC2_CONTEXT) throw new UnknownContextError(`the first @context must be ${VC2_CONTEXT}, got ${JSON.stringify(list[0])?.slice(0, 100)}`)
  const key = list.every(entry => typeof entry === 'string') ? list.join('\n') : undefined
  const known = key != null ? termMaps.get(key) : undefined
  if (known != null) return known
  const map: TermMap = { prefixes: new Map(Object.entries(COMMON_PREFIXES)), vocab: ISSUER_DEPENDENT, terms: new Map() }
  for (const entry of list.slice(1)) {
    addDefinitions(map, typeof entry === 'string' ? bundledContext(entry, BUNDLED_CONTEXTS.get(entry)?.['@context']) : inlineContext(entry))
  }
  if (key != null) {
    termMaps.set(key, map)
    if (termMaps.size > 64) termMaps.delete(termMaps.keys().next().value as string)
  }
  return map
}

function addDefinitions (map: TermMap, definitions: Record<string, unknown>): void {
  if (typeof definitions['@vocab'] === 'string') map.vocab = definitions['@vocab']
  for (const [term, definition] of Object.entries(definitions)) {
    if (term === '@vocab') {
      continue
    } else if (term === '@import' || term === '@propagate' || term === '@base') {
      throw new UnknownContextError(`${term} in an inline @context is not supported`)
    } else if (!term.startsWith('@')) {
      const iri = typeof definition === 'string' ? definition : (definition as any)?.['@id']
      if (typeof iri !== 'string' || iri.startsWith('@')) continue
      // a term defined as itself (`"LegalPerson": {"@id": "LegalPerson"}`) is vocabulary-relative
      if (!iri.includes(':')) map.terms.set(term, map.vocab + iri)
      else if (/[#/]$/.test(iri) || (/:$/.test(iri))) map.prefixes.set(term, iri)
      else map.terms.set(term, iri)
    }
  }
}

/** The full IRI of a term or compact IRI (`gx:LegalPerson`). */
export function expandTerm (term: string, map: TermMap): string {
  const colon = term.indexOf(':')
  if (colon > 0) {
    const prefix = map.prefixes.get(term.slice(0, colon))
    if (prefix != null) return prefix + term.slice(colon + 1)
    return term // an absolute IRI
  }
  const defined = map.terms.get(term)
  if (defined != null) return expandTerm(defined, map)
  if (VC_TERMS.has(term)) return VC_VOCABULARY + term
  return map.vocab + term
}

function withoutProtected (value: any): any {
  if (Array.isArray(value)) return value.map(withoutProtected)
  if (value == null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '@protected').map(([k, v]) => [k, withoutProtected(v)]))
}

/**
 * The VC 2.0 context with the type-scoped context of VerifiableCredential and
 * VerifiablePresentation lifted to the top and `@protected` dropped. For a credential it
 * yields the same triples as the original (checked in test/protocols), but a JSON-LD
 * processor no longer re-applies the scoped context at every node: Oxigraph parses a
 * credential about 2.5 times faster with it.
 */
function flattenVc2Context (context: Record<string, any>): Record<string, any> {
  const flat: Record<string, any> = {}
  for (const [term, definition] of Object.entries(context)) {
    if (term === '@protected') continue
    const scoped = term === 'VerifiableCredential' || term === 'VerifiablePresentation'
    flat[term] = scoped && typeof definition === 'object' ? { '@id': definition['@id'] } : withoutProtected(definition)
  }
  for (const type of ['VerifiablePresentation', 'VerifiableCredential']) {
    for (const [term, definition] of Object.entries<any>(context[type]?.['@context'] ?? {})) {
      if (term !== '@protected') flat[term] = withoutProtected(definition)
    }
  }
  return flat
}

/** Contexts as given to Oxigraph: the bundled documents, VC 2.0 flattened. */
export const RDF_CONTEXTS = new Map<string, unknown>([...BUNDLED_CONTEXTS].map(([url, document]) => [url, url === VC2_CONTEXT ? flattenVc2Context(document['@context']) : document['@context']]))

/**
 * A credential with every string context replaced by its bundled document, ready for
 * Oxigraph. `faithful` keeps the contexts exactly as published. With `usedBy`, each bundled
 * context (the Gaia-X ones: 569 terms, 73 of them with scoped contexts; VC 2.0: 80) is cut down
 * to its prefixes and the terms those documents can use (every key and every string in them):
 * what Oxigraph makes of the documents is the same, but it reads a context of a few terms
 * instead of 50 KB, 7.8 → 0.4 ms for one credential.
 */
export function inlineContexts<T extends { '@context'?: unknown }> (credential: T, options: { faithful?: boolean, usedBy?: readonly unknown[] } = {}): T {
  return inlineWith(credential, options.faithful === true, options.usedBy != null ? wordsOf(options.usedBy) : undefined)
}

function inlineWith<T extends { '@context'?: unknown }> (credential: T, faithful: boolean, used: ReadonlySet<string> | undefined): T {
  const list = Array.isArray(credential['@context']) ? credential['@context'] : [credential['@context']]
  const lookup = (url: string): unknown => {
    const document = faithful ? BUNDLED_CONTEXTS.get(url)?.['@context'] : RDF_CONTEXTS.get(url)
    return used != null && document != null && !faithful ? pruneContext(document as Record<string, unknown>, used) : document
  }
  return {
    ...credential,
    '@context': list.map(entry => typeof entry === 'string' ? lookup(entry) ?? entry : entry)
  }
}

/** Pruned contexts as JSON text, by the `@context` written and the defined terms used. */
const inlinedTexts = new Map<string, string>()

/**
 * `JSON.stringify(inlineContexts(…, { usedBy })['@context'])`, cached: documents that use the
 * same terms of the same contexts (most of a catalogue) share one text.
 */
export function inlinedContextText (context: unknown, usedBy: readonly unknown[]): string {
  const list = Array.isArray(context) ? context : [context]
  const words = wordsOf(usedBy)
  const defined = [...words].filter(word => DEFINED_TERMS.has(word)).sort()
  const key = JSON.stringify(list) + '\n' + defined.join(' ')
  let text = inlinedTexts.get(key)
  if (text == null) {
    text = JSON.stringify(inlineWith({ '@context': context }, false, words)['@context'])
    inlinedTexts.set(key, text)
    if (inlinedTexts.size > 256) inlinedTexts.delete(inlinedTexts.keys().next().value as string)
  }
  return text
}

/** Terms with an object definition in a bundled context (as given to Oxigraph): what pruning keeps or drops. */
const DEFINED_TERMS = new Set([...RDF_CONTEXTS.values()].flatMap(context =>
  Object.entries(context as Record<string, unknown>).filter(([term, definition]) => !term.startsWith('@') && typeof definition !== 'string').map(([term]) => term)))

/** A context with its keywords, its prefixes (string definitions) and the used terms only. */
function pruneContext (context: Record<string, unknown>, used: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [term, definition] of Object.entries(context)) {
    if (term.startsWith('@') || typeof definition === 'string' || used.has(term)) out[term] = definition
  }
  return out
}

/** Every object key and every string (the part before a colon too) in some JSON values. */
function wordsOf (values: readonly unknown[]): Set<string> {
  const words = new Set<string>()
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64) return
    if (typeof value === 'string') {
      words.add(value)
      const colon = value.indexOf(':')
      if (colon > 0) words.add(value.slice(0, colon))
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1)
    } else if (value != null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        words.add(key)
        visit(item, depth + 1)
      }
    }
  }
  for (const value of values) visit(value, 0)
  return words
}

/**
 * The `@context` of a bare JSON-LD graph (no credential envelope), ready for Oxigraph: every
 * URL must be bundled (UnknownContextError otherwise; nothing is downloaded).
 */
export function inlineGraphContexts (context: unknown): unknown[] {
  const list = context == null ? [] : Array.isArray(context) ? context : [context]
  return list.map(entry => {
    if (entry === VC1_CONTEXT) throw new UnsupportedFormatError(`@context ${VC1_CONTEXT} is VC 1.1 (Gaia-X Tagus/Elbe); gxcat takes VC 2.0`)
    return typeof entry === 'string' ? bundledContext(entry, RDF_CONTEXTS.get(entry)) : inlineContext(entry)
  })
}

/** The short name (`gx:LegalPerson`) of a full Gaia-X IRI, matching either vocabulary. */
/** The classes of the bundled Gaia-X vocabularies (2511 and development), by local name: the terms of their contexts that name a class. */
export function gaiaxClassNames (): string[] {
  return [...new Set([GX_2511_DOCUMENT, GX_DEVELOPMENT_DOCUMENT].flatMap(document => Object.keys(document['@context']).filter(term => /^[A-Z]/.test(term))))]
}

export function gaiaxLocalName (iri: string): string | undefined {
  if (iri.startsWith(GX_2511)) return iri.slice(GX_2511.length)
  if (iri.startsWith(GX_DEVELOPMENT)) return iri.slice(GX_DEVELOPMENT.length)
  return undefined
}
