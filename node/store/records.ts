/**
 * What the store keeps, and how index keys are spelled. Index keys sort by a sequence number
 * given to each accepted head, which is also what list cursors point at.
 */

import type { Revocation, VerifiedCredential } from '../../protocols/self-description/index.ts'

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
  /** the index keys written for it, deleted when it is superseded or revoked */
  indexKeys: string[]
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

/** Index spaces: a = every active head, h = every version (history), t = type, i = issuer, w = word, p = property value. */
export type IndexKind = 'a' | 'h' | 't' | 'i' | 'w' | 'p'

/** The prefix of one posting list: all keys of (kind, value…), ordered by seq. */
export function indexPrefix (kind: IndexKind, ...values: string[]): string {
  return [kind, ...values, ''].join('\u0000')
}

export function indexKey (prefix: string, seq: number): string {
  return prefix + encodeSeq(seq)
}
