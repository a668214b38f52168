/**
 * Signed revocations: a JWS by the entry's issuer (or by a DID the node trusts to revoke)
 * naming the entry by (issuer, subject). Replicated like a self-description; final.
 */
import { MAX_REVOCATION_BYTES, REVOCATION_TYPE } from '../constants.ts'
import { InvalidEnvelopeError, RevocationIssuerMismatchError } from './errors.ts'
import { entryId, isRfc3339, versionCidText } from './identity.ts'
import { decodeJws, mediaTypeOf, typOfJws, verifySignature } from './jws.ts'
import { didOf, type IssuerKey } from './keys.ts'
import { signJws } from './sign.ts'
import type { AbortOptions, DidResolver } from './did-resolver.ts'

export interface Revocation {
  jws: string
  cid: string
  entry: string
  issuer: string
  subject: string
  /** the DID that signed it: the issuer or a trusted revoker */
  signer: string
  revokedAt: string
  reason?: string
}

export interface RevokeOptions {
  /** the issuer of the entry; default: the signing key's DID */
  issuer?: string
  reason?: string
  revokedAt?: string
}

export async function signRevocation (subject: string, key: IssuerKey, options: RevokeOptions = {}): Promise<string> {
  const signer = didOf(key.kid)
  const issuer = options.issuer ?? signer
  return signJws({
    type: 'EntryRevocation',
    issuer,
    subject,
    entry: entryId(issuer, subject),
    revokedAt: options.revokedAt ?? new Date().toISOString(),
    ...(options.reason != null ? { reason: options.reason } : {})
  }, key, { typ: REVOCATION_TYPE, iss: signer })
}

/** Whether a compact JWS says it is a revocation (by its `typ`); false for anything unreadable. */
export function isRevocationJws (jws: string): boolean {
  return typOfJws(jws) === REVOCATION_TYPE
}

export interface VerifyRevocationOptions extends AbortOptions {
  resolver: DidResolver
  /** DIDs allowed to revoke entries of any issuer (trust anchors) */
  revokers?: readonly string[]
}

export async function verifyRevocation (input: string | Uint8Array, options: VerifyRevocationOptions): Promise<Revocation> {
  const decoded = decodeJws(input, MAX_REVOCATION_BYTES, 'the revocation')
  const { header, payload } = decoded
  if (mediaTypeOf(header.typ) !== REVOCATION_TYPE) throw new InvalidEnvelopeError(`a revocation has typ ${REVOCATION_TYPE}, not ${String(header.typ)}`)
  if (payload.type !== 'EntryRevocation' || typeof payload.issuer !== 'string' || typeof payload.subject !== 'string' || typeof payload.revokedAt !== 'string') {
    throw new InvalidEnvelopeError('a revocation payload has type EntryRevocation, issuer, subject and revokedAt')
  }
  if (!isRfc3339(payload.revokedAt)) throw new InvalidEnvelopeError(`revokedAt is not an RFC 3339 date-time: ${JSON.stringify(payload.revokedAt).slice(0, 60)}`)
  const entry = entryId(payload.issuer, payload.subject)
  if (payload.entry != null && payload.entry !== entry) throw new InvalidEnvelopeError('the revocation names an entry id that does not match its issuer and subject')
  const signer = didOf(header.kid)
  if (signer !== payload.issuer && !(options.revokers ?? []).includes(signer)) {
    throw new RevocationIssuerMismatchError(`${signer} may not revoke entries of ${payload.issuer}: only the issuer or a trust anchor may`)
  }
  await verifySignature(decoded, options.resolver, options)
  return {
    jws: decoded.jws,
    cid: versionCidText(decoded.jws),
    entry,
    issuer: payload.issuer,
    subject: payload.subject,
    signer,
    revokedAt: payload.revokedAt,
    reason: typeof payload.reason === 'string' ? payload.reason : undefined
  }
}
