/**
 * What the store keeps, and how index keys are spelled. Index keys sort by a sequence number
 * given to each accepted head, which is also what list cursors point at.
 */

import type { Revocation, VerifiedCredential } from '../../protocols/self-description/index.ts'
import { credentialOfPayload, payloadOfVerifiedJws } from '../../protocols/self-description/jws.ts'
import type { IndexTerms } from '../query/index-terms.ts'

export type VersionStatus = 'active' | 'superseded' | 'revoked' | 'expired' | 'suspended'

/** A stored version: what verification found, less the parsed credential; immutable once written (its status lives apart). */
export interface VersionRecord extends Omit<VerifiedCredential, 'credential'> {
  receivedAt: string
  /** position in the history of accepted versions */
  seq: number
  /** the digest of its certificate chain, kept once for every version signed with that key (chains.ts): `chain` is then not in the record */
  chainRef?: string
}

/** An entry's current version as the store keeps it in memory. */
export interface MemoryHead { cid: string, validFrom: string, seq: number }

/** The current version of an entry. */
export interface HeadRecord {
  cid: string
  validFrom: string
  seq: number
  /** what it is indexed under (its keys: `termPrefixes` with its seq), dropped when it is revoked */
  terms?: HeadTerms
  /** its index keys in full, in stores written before `terms` */
  indexKeys?: string[]
  /** the superseded versions kept, newest first (absent in stores written before pruning) */
  older?: Array<{ cid: string, seq: number }>
}

export interface RevocationRecord extends Revocation {
  receivedAt: string
}

/**
 * How a version record is written: the JWS's header and payload as the JSON text they encode,
 * not as base64url. LevelDB's Snappy compression finds the repetition in JSON (the issuer's DID
 * in the kid, the issuer, the subjects; the vocabulary's IRIs) and none in base64, so a store
 * takes about half the disk it took. Only when the text encodes back to the very same segment is
 * it written so; any other JWS is kept as it came. Records written before stay readable.
 */
export const versionEncoding = {
  name: 'gxcat-version',
  format: 'utf8' as const,
  encode (record: VersionRecord): string {
    const texts = segmentTextsOf(record) ?? jwsSegmentTexts(record.jws)
    if (texts == null) return JSON.stringify(record)
    const { jws: _jws, ...rest } = record
    return JSON.stringify({ ...rest, jwsHeader: texts.header, jwsPayload: texts.payload, jwsSignature: texts.signature })
  },
  decode (text: string): VersionRecord {
    const stored = JSON.parse(text)
    if (stored.jws != null) return stored
    const { jwsHeader, jwsPayload, jwsSignature, ...rest } = stored
    return { ...rest, jws: `${Buffer.from(jwsHeader, 'utf8').toString('base64url')}.${Buffer.from(jwsPayload, 'utf8').toString('base64url')}.${jwsSignature as string}` }
  }
}

/**
 * A stored version's credential (its JWS payload, parsed) and the fields its status is read
 * from, straight from the record's text (versionEncoding): without putting the JWS back
 * together and taking it apart again, which was a third of the main thread's work when the RDF
 * index is rebuilt at a start.
 */
export function credentialOfVersionText (text: string): Pick<VersionRecord, 'entry' | 'validUntil'> & { credential: Record<string, unknown> } {
  const stored = JSON.parse(text)
  return { entry: stored.entry, validUntil: stored.validUntil, credential: stored.jws != null ? payloadOfVerifiedJws(stored.jws) : credentialOfPayload(JSON.parse(stored.jwsPayload)) }
}

/** A JWS's header and payload as the text they encode, and its signature, as versionEncoding writes them. */
export interface JwsSegmentTexts { header: string, payload: string, signature: string }

/**
 * Where a version record (or the checked credential it is made from) carries its JWS's segment
 * texts, worked out before by whoever decoded the JWS: not a field of the record.
 */
const JWS_SEGMENT_TEXTS = Symbol('gxcat.jwsSegmentTexts')

/** `value` carrying `texts` (if any) for versionEncoding, as no field of its own. */
export function withSegmentTexts<T extends object> (value: T, texts: JwsSegmentTexts | undefined): T {
  if (texts != null) Object.defineProperty(value, JWS_SEGMENT_TEXTS, { value: texts, enumerable: false })
  return value
}

/** The segment texts `value` carries (withSegmentTexts), if any. */
export function segmentTextsOf (value: object): JwsSegmentTexts | undefined {
  return (value as { [JWS_SEGMENT_TEXTS]?: JwsSegmentTexts })[JWS_SEGMENT_TEXTS]
}

/**
 * The record of a checked credential accepted as `seq`: what it was found to be, less its parsed
 * credential (not read either: a credential checked by a shapes worker parses it only when asked)
 * and its certificate chain, which the store keeps apart (chains.ts).
 */
export function versionRecordOf (verified: VerifiedCredential, receivedAt: string, seq: number): { record: VersionRecord, chain?: VerifiedCredential['chain'] } {
  const { chain, ...fields } = verified as Omit<VerifiedCredential, 'credential'> & { credential?: unknown }
  delete fields.credential
  return { record: withSegmentTexts({ ...fields, receivedAt, seq }, segmentTextsOf(verified)), chain }
}

/**
 * The texts versionEncoding writes a JWS as, if both its header and payload encode back to their
 * very segments; `decoded`: the texts they were decoded to already (decodeJws), if they were.
 */
export function jwsSegmentTexts (jws: string, decoded?: { header: string, payload: string }): JwsSegmentTexts | undefined {
  const [header, payload, signature] = jws.split('.')
  const headerText = textOfSegment(header, decoded?.header)
  const payloadText = textOfSegment(payload, decoded?.payload)
  if (headerText == null || payloadText == null || signature == null) return undefined
  return { header: headerText, payload: payloadText, signature }
}

/** The UTF-8 text a base64url segment encodes (`text` where it was decoded already), if it encodes back to that segment exactly. */
function textOfSegment (segment: string | undefined, decoded?: string): string | undefined {
  if (segment == null) return undefined
  const text = decoded ?? Buffer.from(segment, 'base64url').toString('utf8')
  return Buffer.from(text, 'utf8').toString('base64url') === segment ? text : undefined
}

const SEQ_DIGITS = 12

export function encodeSeq (seq: number): string {
  return seq.toString(16).padStart(SEQ_DIGITS, '0')
}

export function decodeSeq (text: string): number {
  return Number.parseInt(text, 16)
}

/**
 * Index spaces: a = every active head, h = every version (history), t = type, i = issuer,
 * w = word, p = property value. An `h` posting's value is the version's CID; the others point
 * at a current head's seq and carry no value (stores written before carry the CID there too).
 */
export type IndexKind = 'a' | 'h' | 't' | 'i' | 'w' | 'p'

/** The prefix of one posting list: all keys of (kind, value…), ordered by seq. */
export function indexPrefix (kind: IndexKind, ...values: string[]): string {
  let prefix = kind + '\u0000'
  for (const value of values) prefix += value + '\u0000'
  return prefix
}

/** What an index prefix names: its kind and values (`indexPrefix`'s arguments), the last value whole. */
export function postingOfPrefix (prefix: string): { kind: string, property: string, value: string } {
  const [kind, ...values] = prefix.slice(0, -1).split('\u0000')
  // a property posting is (property, value); the others name one value
  return kind === 'p' ? { kind, property: values[0], value: values.slice(1).join('\u0000') } : { kind, property: '', value: values.join('\u0000') }
}

export function indexKey (prefix: string, seq: number): string {
  return prefix + encodeSeq(seq)
}

export interface HeadTerms extends IndexTerms {
  issuer: string
}

/** The posting lists a head is in. */
export function termPrefixes (terms: HeadTerms): string[] {
  return [
    indexPrefix('a'),
    indexPrefix('i', terms.issuer),
    ...terms.types.map(t => indexPrefix('t', t)),
    ...terms.tokens.map(t => indexPrefix('w', t)),
    ...terms.properties.map(([p, v]) => indexPrefix('p', p, v))
  ]
}

/** The index keys of a head. */
export function headIndexKeys (head: HeadRecord): string[] {
  if (head.indexKeys != null) return head.indexKeys
  return head.terms == null ? [] : termPrefixes(head.terms).map(prefix => indexKey(prefix, head.seq))
}

/** The terms a head is indexed under: its own, or (stores written before terms) read off its index keys. */
export function termsOfHead (head: HeadRecord): HeadTerms | undefined {
  if (head.terms != null || head.indexKeys == null || head.indexKeys.length === 0) return head.terms
  const terms: HeadTerms = { issuer: '', types: [], tokens: [], properties: [] }
  for (const key of head.indexKeys) {
    const { kind, property, value } = postingOfPrefix(key.slice(0, -SEQ_DIGITS))
    if (kind === 'i') terms.issuer = value
    else if (kind === 't') terms.types.push(value)
    else if (kind === 'w') terms.tokens.push(value)
    else if (kind === 'p') terms.properties.push([property, value])
  }
  return terms
}
