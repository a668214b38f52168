/**
 * Gaia-X compliance labels: the `gx:LabelCredential` a clearing house's compliance service
 * issues for the credentials of a presentation it checked, each named by a digest
 * (`gx:compliantCredentials`). Read here: the label's level and the digests it lists, and the
 * digests of a credential by every rule a label may have used. Which labels count (trusted
 * compliance issuers, dates, status) is the node's to decide (node/compliance).
 */
import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { VC_VOCABULARY } from '../constants.ts'
import { credentialTypes } from './credential.ts'
import { payloadTextOfJws } from './jws.ts'
import { expandTerm, gaiaxLocalName, readContexts, type TermMap } from './vocabulary.ts'

/** Label levels as the Gaia-X shapes list them, lowest first. */
export const LABEL_LEVELS = ['SC', 'L1', 'L2', 'L3'] as const

/**
 * A level's rank: SC (standard compliance) 0 … L3 3. `BL` ("base level", as DOME's and other
 * ecosystems' compliance services write it) ranks with SC. Undefined for anything else.
 */
export function labelRank (level: string): number | undefined {
  const upper = level.trim().toUpperCase()
  if (upper === 'BL') return 0
  const rank = (LABEL_LEVELS as readonly string[]).indexOf(upper)
  return rank < 0 ? undefined : rank
}

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512'

/** One digest a label lists: its algorithm and the hash, as lower-case hex. */
export interface LabelDigest {
  algorithm: DigestAlgorithm
  hex: string
}

/** What a label says of one credential it covers. */
export interface CoveredCredential {
  /** the credential's `id`, where the label gives it: the credential must have the same */
  id?: string
  /** its digest, written in one or more ways (SRI allows several, space separated) */
  digests: LabelDigest[]
}

export interface ComplianceLabel {
  /** the level as written (`SC`, `L1`, `BL`…) */
  level: string
  rank: number
  engineVersion?: string
  rulesVersion?: string
  covers: CoveredCredential[]
}

const DIGEST_BYTES: Record<DigestAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 }

/** Whether a credential's types (full IRIs) make it a Gaia-X label credential, in either vocabulary. */
export function isLabelCredential (typeIris: readonly string[]): boolean {
  return typeIris.some(iri => gaiaxLocalName(iri) === 'LabelCredential')
}

/**
 * The digests of an SRI value (`sha256-<hash>`, several separated by spaces): the hash in hex
 * (as Gaia-X compliance services write it) or in base64 or base64url (W3C SRI's own form).
 * Options after `?` are ignored, as SRI says; tokens of other algorithms are skipped.
 */
export function readSri (value: string): LabelDigest[] {
  const digests: LabelDigest[] = []
  for (const token of value.trim().split(/\s+/)) {
    const dash = token.indexOf('-')
    if (dash < 0) continue
    const algorithm = token.slice(0, dash).toLowerCase() as DigestAlgorithm
    const bytes = DIGEST_BYTES[algorithm]
    if (bytes == null) continue
    const hash = token.slice(dash + 1).split('?')[0]
    if (hash.length === bytes * 2 && /^[0-9a-f]+$/i.test(hash)) {
      digests.push({ algorithm, hex: hash.toLowerCase() })
      continue
    }
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(hash)) continue
    const decoded = Buffer.from(hash.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    if (decoded.length === bytes) digests.push({ algorithm, hex: decoded.toString('hex') })
  }
  return digests
}

/** The local name of a property IRI in the Gaia-X vocabularies or the VC vocabulary (where the official shapes put `digestSRI`). */
function localName (iri: string): string | undefined {
  return gaiaxLocalName(iri) ?? (iri.startsWith(VC_VOCABULARY) ? iri.slice(VC_VOCABULARY.length) : undefined)
}

/** A node's properties by local name (first value list for each), read with the credential's contexts. */
function propertiesOf (node: Record<string, unknown>, terms: TermMap): Map<string, unknown[]> {
  const properties = new Map<string, unknown[]>()
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@')) continue
    const name = localName(expandTerm(key, terms))
    if (name != null && !properties.has(name)) properties.set(name, Array.isArray(value) ? value : [value])
  }
  return properties
}

function textOf (value: unknown): string | undefined {
  const plain = value != null && typeof value === 'object' && '@value' in value ? (value as Record<string, unknown>)['@value'] : value
  return typeof plain === 'string' ? plain : undefined
}

/**
 * What a label credential says, or undefined if it is not a label or names no level gxcat
 * knows. A listed credential without a digest gxcat can read is left out: it can cover nothing.
 */
export function readLabel (credential: Record<string, unknown>, typeIris: readonly string[]): ComplianceLabel | undefined {
  if (!isLabelCredential(typeIris)) return undefined
  const subject = credential.credentialSubject
  if (subject == null || typeof subject !== 'object' || Array.isArray(subject)) return undefined
  const terms = readContexts(credential['@context'])
  const properties = propertiesOf(subject as Record<string, unknown>, terms)
  const level = textOf(properties.get('labelLevel')?.[0])
  const rank = level == null ? undefined : labelRank(level)
  if (level == null || rank == null) return undefined
  const covers: CoveredCredential[] = []
  for (const item of properties.get('compliantCredentials') ?? []) {
    if (item == null || typeof item !== 'object' || Array.isArray(item)) continue
    const own = propertiesOf(item as Record<string, unknown>, terms)
    const sri = [...(own.get('digestSRI') ?? []), ...(own.get('integrity') ?? [])].map(textOf).filter(s => s != null)
    const digests = sri.flatMap(readSri)
    if (digests.length === 0) continue
    const id = (item as Record<string, unknown>).id ?? (item as Record<string, unknown>)['@id']
    covers.push({ ...(typeof id === 'string' && id !== '' ? { id } : {}), digests })
  }
  return {
    level,
    rank,
    engineVersion: textOf(properties.get('engineVersion')?.[0]),
    rulesVersion: textOf(properties.get('rulesVersion')?.[0]),
    covers
  }
}

/**
 * The forms of a credential a digest may be taken over: the exact compact JWS (what Gaia-X
 * compliance services hash), or the RFC 8785 (JCS) canonical JSON of its payload.
 */
export type DigestForm = 'jws' | 'jcs'

/** A credential's digest by one rule, as lower-case hex. */
export function credentialDigest (jws: string, algorithm: DigestAlgorithm, form: DigestForm): string {
  const text = form === 'jws' ? jws : canonicalize(JSON.parse(payloadTextOfJws(jws))) ?? ''
  return createHash(algorithm).update(text, 'utf8').digest('hex')
}

/**
 * A label's JSON as the official shapes are given it: compliance services write each listed
 * credential as `{id, type: <the covered credential's types>, gx:digestSRI}` (and levels such
 * as `BL`), where the 2511 and development shapes want `{type gx:CompliantCredential,
 * gx:credentialType, digestSRI}` and a level of SC…L3. Each listed credential is read as the
 * official form (its types as `credentialType`, its digest as `digestSRI`), and `BL` as `SC`,
 * so that the label itself is judged: its level, versions and criteria. The stored credential
 * is never changed. Anything that is not a label is returned as it is.
 */
export function labelForShapes (credential: Record<string, unknown>): Record<string, unknown> {
  const subject = credential.credentialSubject
  if (subject == null || typeof subject !== 'object' || Array.isArray(subject)) return credential
  const typeNames = [...credentialTypes(credential), ...([] as unknown[]).concat((subject as any).type ?? (subject as any)['@type'] ?? [])].filter((t): t is string => typeof t === 'string')
  // the common credential pays one look at its types
  if (!typeNames.some(t => t.endsWith('LabelCredential'))) return credential
  const terms = readContexts(credential['@context'])
  const label = typeNames.map(t => expandTerm(t, terms)).find(iri => gaiaxLocalName(iri) === 'LabelCredential')
  if (label == null) return credential
  const gx = label.slice(0, -'LabelCredential'.length)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(subject as Record<string, unknown>)) {
    const name = key.startsWith('@') ? undefined : localName(expandTerm(key, terms))
    if (name === 'labelLevel') {
      out[key] = Array.isArray(value) ? value.map(v => textOf(v)?.toUpperCase() === 'BL' ? 'SC' : v) : textOf(value)?.toUpperCase() === 'BL' ? 'SC' : value
    } else if (name === 'compliantCredentials') {
      out[key] = (Array.isArray(value) ? value : [value]).map(item => officialListItem(item, terms, gx))
    } else {
      out[key] = value
    }
  }
  return { ...credential, credentialSubject: out }
}

function officialListItem (item: unknown, terms: TermMap, gx: string): unknown {
  if (item == null || typeof item !== 'object' || Array.isArray(item)) return item
  const own = item as Record<string, unknown>
  const types = ([] as unknown[]).concat(own.type ?? own['@type'] ?? []).filter((t): t is string => typeof t === 'string')
  const official = types.some(t => gaiaxLocalName(expandTerm(t, terms)) === 'CompliantCredential')
  const out: Record<string, unknown> = { '@type': `${gx}CompliantCredential` }
  let credentialType: string | undefined
  for (const [key, value] of Object.entries(own)) {
    if (key === 'type' || key === '@type') continue
    const name = key.startsWith('@') ? undefined : localName(expandTerm(key, terms))
    if (name === 'digestSRI' || name === 'integrity') out[`${VC_VOCABULARY}digestSRI`] = (Array.isArray(value) ? value : [value]).map(v => ({ '@value': textOf(v) ?? '', '@type': `${VC_VOCABULARY}sriString` }))
    else if (name === 'credentialType') credentialType = textOf(Array.isArray(value) ? value[0] : value)
    else if (key !== 'id' && key !== '@id') out[key] = value
    else out['@id'] = value
  }
  out[`${gx}credentialType`] = credentialType ?? (official ? '' : types.join(','))
  return out
}
