/**
 * What a node works out from a credential before it can decide anything about it, with no state
 * of its own: the JWS decoded and checked as a credential (checkCredential), the terms it is
 * indexed under, and the texts its stored record is written with. A shapes worker does it for
 * the main thread (one message per batch), which then only routes: the duplicate check, a
 * peer's budget, the key, the store. In a thread without workers it runs in place. Either way
 * the result is the same, field for field, so what is stored is the same byte for byte.
 */
import { checkCredential, type CheckedJws, type VerifiedCredential } from '../../protocols/self-description/verify.ts'
import { decodeJws, payloadOfVerifiedJws } from '../../protocols/self-description/jws.ts'
import * as protocolErrors from '../../protocols/self-description/errors.ts'
import { MAX_CREDENTIAL_BYTES } from '../../protocols/constants.ts'
import { indexTerms, type IndexTerms } from '../query/index-terms.ts'
import { jwsSegmentTexts, withSegmentTexts, type JwsSegmentTexts } from '../store/records.ts'
import type { ShapesPool } from './shapes-pool.ts'

/** A credential checked (all but its signature, shapes and status), as it crosses between threads: plain data. */
export interface PreparedCredential {
  /** checkCredential's result less the parsed credential, in its order of fields */
  checked: Omit<VerifiedCredential, 'credential'>
  header: { alg: string, kid: string }
  terms: IndexTerms
  /** the JWS's header and payload as text, where they encode back to the very segments (versionEncoding) */
  segments?: JwsSegmentTexts
}

/** A refusal as it crosses between threads: the typed error's name and message. */
export interface RefusalData { name: string, message: string }

export function prepareCredential (jws: string, now: number): PreparedCredential {
  const decoded = decodeJws(jws, MAX_CREDENTIAL_BYTES, 'the credential')
  const verified = checkCredential(decoded, now)
  const terms = indexTerms(verified)
  const { credential: _credential, ...checked } = verified
  const segments = jwsSegmentTexts(decoded.jws, decoded.texts)
  return { checked, header: { alg: decoded.header.alg, kid: decoded.header.kid }, terms, ...(segments != null ? { segments } : {}) }
}

/**
 * The checked credential on the thread that stores it: its parsed credential is read from the
 * JWS only where something asks for it (most versions are stored and gossiped without), and
 * its segment texts go with it to the store.
 */
export function checkedOfPrepared (prepared: PreparedCredential): VerifiedCredential {
  const checked = prepared.checked as VerifiedCredential
  let credential: VerifiedCredential['credential'] | undefined
  Object.defineProperty(checked, 'credential', {
    get: () => (credential ??= payloadOfVerifiedJws(checked.jws) as VerifiedCredential['credential']),
    enumerable: false,
    configurable: true
  })
  return withSegmentTexts(checked, prepared.segments)
}

/**
 * A credential published to a node, decoded and checked once (for the duplicate check, then for
 * verification): by a worker of `pool` where its workers prepare credentials (with its index
 * terms), else in this thread (the terms are worked out once it is verified).
 */
export async function checkToPublish (jws: string, pool: ShapesPool, now: number): Promise<{ decoded: CheckedJws, checked: VerifiedCredential, terms?: IndexTerms }> {
  if (pool.prepare != null) {
    const prepared = await pool.prepare(jws, now)
    return { decoded: { jws: prepared.checked.jws, header: prepared.header }, checked: checkedOfPrepared(prepared), terms: prepared.terms }
  }
  const decoded = decodeJws(jws, MAX_CREDENTIAL_BYTES, 'the credential')
  return { decoded, checked: withSegmentTexts(checkCredential(decoded, now), jwsSegmentTexts(decoded.jws, decoded.texts)) }
}

export function refusalOf (err: any): RefusalData {
  return { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err) }
}

/**
 * The typed error a refusal names, made again on this side (a class of the protocol's errors,
 * whose constructor takes the message); anything else as a plain Error of that name.
 */
export function errorOfRefusal ({ name, message }: RefusalData): Error {
  const type = (protocolErrors as Record<string, unknown>)[name]
  if (typeof type === 'function' && name.endsWith('Error') && name !== 'ShapeViolationError') return new (type as new (message: string) => Error)(message)
  const err = new Error(message)
  err.name = name
  return err
}
