/**
 * What the store keeps, and how index keys are spelled. Index keys sort by a sequence number
 * given to each accepted head, which is also what list cursors point at.
 */

import type { Revocation, VerifiedCredential } from '../../protocols/self-description/index.ts'
import type { IndexTerms } from '../query/index-terms.ts'

export type VersionStatus = 'active' | 'superseded' | 'revoked' | 'expired' | 'suspended'

/** A stored version: what verification found, less the parsed credential; immutable once written (its status lives apart). */
export interface VersionRecord extends Omit<VerifiedCredential, 'credential'> {
  receivedAt: string
  /** position in the history of accepted versions */
  seq: number
}

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
  return [kind, ...values, ''].join('\u0000')
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
