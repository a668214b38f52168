/**
 * Verification of a self-description: a VC-JWT is checked at the door (jws.ts), then as a
 * credential (context, issuer, subject, validity, development-vocabulary shapes), then its
 * signature, then against the official Gaia-X 2511 SHACL shapes. Whatever fails
 * throws a typed error; a returned value is valid.
 */
import {
  CLOCK_TOLERANCE_MS, CREDENTIAL_CONTENT_TYPES, CREDENTIAL_TYPES, MAX_CREDENTIAL_BYTES, PRESENTATION_TYPES
} from '../constants.ts'
import { credentialTypes, issuerOf, type Credential } from './credential.ts'
import {
  CredentialExpiredError, CredentialNotYetValidError, InvalidCredentialError, InvalidEnvelopeError,
  IssuerMismatchError, JwtClaimMismatchError, MissingSubjectIdError, ShapeViolationError, UnsupportedFormatError, type ShapeViolation
} from './errors.ts'
import { entryId, isNfc, isRfc3339, versionCidText } from './identity.ts'
import { credentialOfPayload, decodeJws, mediaTypeOf, payloadTextOfJws, verifySignature, type DecodedJws } from './jws.ts'
import { didOf } from './keys.ts'
import { assertGaiaxShapes, type ShapesValidator } from './gaia-x-shapes.ts'
import { assertGraphBounds, assertNodeId } from './graph-bounds.ts'
import { expandTerm, readContexts } from './vocabulary.ts'
import type { CertificateChain } from './certificate-chain.ts'
import { readStatusEntries, type StatusChecker, type StatusEntry } from './status-list.ts'
import type { AbortOptions, DidResolver, ResolvedKey } from './did-resolver.ts'

export interface VerifiedCredential {
  /** the exact compact JWS */
  jws: string
  /** CID of the JWS bytes: the identity of this version */
  cid: string
  /** id of the entry (issuer, subject) */
  entry: string
  issuer: string
  subject: string
  /** types of the subject as written (`gx:ServiceOffering`) */
  types: string[]
  /** types of the subject as full IRIs */
  typeIris: string[]
  validFrom: string
  validUntil?: string
  credential: Credential
  /** how many values the credential holds (graph-bounds.ts): what checking and indexing it costs grows with them */
  values: number
  /** the checked certificate chain of the issuer's key (x5u), if it has one */
  chain?: CertificateChain
  /** its W3C Bitstring Status List entries (revocation, suspension), if it has any */
  statusEntries?: StatusEntry[]
}

export interface VerifyOptions extends AbortOptions {
  resolver: DidResolver
  /** the time to judge validity at. @default now */
  now?: number
  /** @default MAX_CREDENTIAL_BYTES */
  maxBytes?: number
  /** status lists to honour (revocation, suspension); none checked when absent */
  status?: StatusChecker
  /** leave the official shapes to the caller (a report gives them separately) */
  skipShapes?: boolean
  /** where the official shapes run (a pool of worker threads). @default in this thread, batched per tick */
  shapes?: ShapesValidator
}

export async function verifyCredential (input: string | Uint8Array, options: VerifyOptions): Promise<VerifiedCredential> {
  const decoded = decodeJws(input, options.maxBytes ?? MAX_CREDENTIAL_BYTES, 'the credential')
  return verifyCheckedCredential(decoded, checkCredential(decoded, options.now ?? Date.now()), options)
}

/** A JWS as verifyCheckedCredential needs it: its header; its payload only where the shapes run in this thread. */
export type CheckedJws = Pick<DecodedJws, 'jws' | 'header'> & Partial<Pick<DecodedJws, 'payload' | 'texts'>>

/**
 * The rest of verifyCredential, for a credential already decoded and checked (checkCredential):
 * its signature, the official shapes and its status lists.
 */
export async function verifyCheckedCredential (decoded: CheckedJws, checked: VerifiedCredential, options: VerifyOptions): Promise<VerifiedCredential> {
  const pool = options.skipShapes !== true ? options.shapes : undefined
  let key: ResolvedKey
  if (pool?.verify != null) {
    // the signature and the shapes in one trip to a worker thread, which reads the credential from the JWS
    const verify = pool.verify.bind(pool)
    let violations: ShapeViolation[] = []
    key = await verifySignature(decoded, options.resolver, {
      ...options,
      check: async (jws, alg, cryptoKey) => {
        const result = await verify({ jws, alg, key: cryptoKey, cid: checked.cid })
        violations = result.violations
        return result.signature
      }
    })
    if (violations.length > 0) throw new ShapeViolationError(violations)
  } else {
    key = await verifySignature(decoded, options.resolver, options)
    // the JSON the shapes read: the payload's own text, unless the credential sits under its vc claim
    const text = options.shapes == null ? undefined : checked.credential === decoded.payload ? decoded.texts?.payload ?? payloadTextOfJws(decoded.jws) : JSON.stringify(checked.credential)
    if (options.skipShapes !== true) await assertGaiaxShapes(checked.credential, options.shapes, text)
  }
  // the chain goes on the checked credential itself: a copy would read its credential, which a
  // credential checked by a worker parses only when asked
  const verified = key.chain != null ? Object.assign(checked, { chain: key.chain }) : checked
  if (options.status != null) await options.status.assertActive(verified, options)
  return verified
}

function stringsOf (value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((t): t is string => typeof t === 'string')
}

/** Every check of a credential but its signature and the official (SHACL) shapes. */
export function checkCredential (decoded: DecodedJws, now: number): VerifiedCredential {
  const { header, payload } = decoded
  const typ = mediaTypeOf(header.typ)
  if (typ != null && (PRESENTATION_TYPES as readonly string[]).includes(typ)) {
    throw new UnsupportedFormatError(`this is a verifiable presentation (typ ${header.typ}), not a credential`)
  }
  const credential = credentialOfPayload(payload) as Credential
  // the credential under a JWT's vc claim, not the payload itself
  const wrapped = credential !== payload
  if (header.typ != null && !(CREDENTIAL_TYPES as readonly string[]).includes(typ ?? '') && !(typ === 'jwt' && wrapped)) {
    throw new InvalidEnvelopeError(`typ "${header.typ}" is not a VC-JWT type (${CREDENTIAL_TYPES.join(', ')})`)
  }
  if (header.cty != null && !(CREDENTIAL_CONTENT_TYPES as readonly string[]).includes(mediaTypeOf(header.cty) ?? '')) {
    throw new InvalidEnvelopeError(`cty "${header.cty}" is not a credential content type (${CREDENTIAL_CONTENT_TYPES.join(', ')})`)
  }
  // before anything else reads it: its nodes are IRIs, its size bounded
  const values = assertGraphBounds(payload)
  const terms = readContexts(credential['@context'])
  const vcTypes = Array.isArray(credential.type) ? credential.type : [credential.type]
  if (!vcTypes.includes('VerifiableCredential')) throw new InvalidCredentialError('type must include VerifiableCredential')

  const issuer = issuerOf(credential)
  if (issuer == null || !issuer.startsWith('did:')) throw new InvalidCredentialError('the credential has no issuer DID')
  assertNodeId(issuer, '$.issuer')
  const keyDid = didOf(header.kid)
  if (keyDid !== issuer) throw new IssuerMismatchError(`kid ${header.kid} is not a key of the issuer ${issuer}`)
  for (const iss of [header.iss, payload.iss]) {
    if (iss != null && iss !== issuer) throw new IssuerMismatchError(`iss ${String(iss)} does not match the credential issuer ${issuer}`)
  }

  const subject = credential.credentialSubject
  if (subject == null || typeof subject !== 'object' || Array.isArray(subject)) {
    throw new InvalidCredentialError('credentialSubject must be one JSON object')
  }
  const subjectId = subject.id ?? subject['@id']
  if (typeof subjectId !== 'string' || subjectId === '') throw new MissingSubjectIdError('credentialSubject.id is missing: an entry is identified by (issuer, credentialSubject.id)')

  if (!isNfc(issuer)) throw new InvalidCredentialError('the issuer DID is not in Unicode NFC')
  if (!isNfc(subjectId)) throw new InvalidCredentialError('credentialSubject.id is not in Unicode NFC: normalise it (NFC) and sign again')
  const validFrom = credential.validFrom
  if (!isRfc3339(validFrom)) throw new InvalidCredentialError(`validFrom is missing or not an RFC 3339 date-time (such as 2026-01-01T00:00:00Z): ${JSON.stringify(validFrom)?.slice(0, 60)}`)
  if (Date.parse(validFrom) > now + CLOCK_TOLERANCE_MS) throw new CredentialNotYetValidError(`the credential is valid from ${validFrom}`)
  if (typeof payload.nbf === 'number' && payload.nbf * 1000 > now + CLOCK_TOLERANCE_MS) throw new CredentialNotYetValidError(`the JWT is not valid before ${new Date(payload.nbf * 1000).toISOString()}`)
  const validUntil = credential.validUntil
  if (validUntil != null) {
    if (!isRfc3339(validUntil)) throw new InvalidCredentialError(`validUntil is not an RFC 3339 date-time: ${JSON.stringify(validUntil)?.slice(0, 60)}`)
    if (Date.parse(validUntil) < now - CLOCK_TOLERANCE_MS) throw new CredentialExpiredError(`the credential expired at ${validUntil}`)
  }
  if (typeof payload.exp === 'number' && payload.exp * 1000 < now - CLOCK_TOLERANCE_MS) throw new CredentialExpiredError(`the JWT expired at ${new Date(payload.exp * 1000).toISOString()}`)

  if (wrapped) assertClaimsAgree(payload, credential, subjectId)

  // Loire credentials often type the credential only: its own types count as the subject's
  const types = [...new Set([...stringsOf(subject.type ?? subject['@type']), ...credentialTypes(credential)])]
  const typeIris = [...new Set(types.map(t => expandTerm(t, terms)))]

  const statusEntries = readStatusEntries(credential)
  const cid = versionCidText(decoded.jws)
  return {
    jws: decoded.jws,
    cid,
    entry: entryId(issuer, subjectId),
    issuer,
    subject: subjectId,
    types,
    typeIris,
    validFrom,
    validUntil: typeof validUntil === 'string' ? validUntil : undefined,
    credential,
    values,
    ...(statusEntries != null ? { statusEntries } : {})
  }
}

/**
 * A JWT carrying its credential in a `vc` claim says the same in its registered claims (RFC 7519
 * as the VC data model maps them): `sub` the subject's id, `jti` the credential's id, `nbf` and
 * `exp` its validFrom and validUntil (to the second). `iss` is checked with every credential.
 */
function assertClaimsAgree (claims: Record<string, any>, credential: Credential, subjectId: string): void {
  if (claims.sub != null && claims.sub !== subjectId) throw new JwtClaimMismatchError(`sub ${String(claims.sub).slice(0, 100)} is not the credential's subject ${subjectId}`)
  if (claims.jti != null && credential.id != null && claims.jti !== credential.id) throw new JwtClaimMismatchError(`jti ${String(claims.jti).slice(0, 100)} is not the credential's id ${String(credential.id).slice(0, 100)}`)
  const seconds = (date: unknown): number | undefined => typeof date === 'string' && isRfc3339(date) ? Math.floor(Date.parse(date) / 1000) : undefined
  if (claims.nbf != null && claims.nbf !== seconds(credential.validFrom)) throw new JwtClaimMismatchError(`nbf ${String(claims.nbf)} is not the credential's validFrom ${String(credential.validFrom)}`)
  if (claims.exp != null && claims.exp !== seconds(credential.validUntil)) throw new JwtClaimMismatchError(`exp ${String(claims.exp)} is not the credential's validUntil ${String(credential.validUntil ?? '(none)')}`)
}
