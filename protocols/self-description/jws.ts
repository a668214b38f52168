/**
 * Checks at the door for any compact JWS gxcat reads: size before parsing, shape of the
 * three parts, header size and nesting, the algorithm allow-list, then the payload.
 * The signature itself is checked with node:crypto (signature.ts).
 */
import type { KeyObject } from 'node:crypto'
import type { JWSHeaderParameters } from 'jose'
import { ALLOWED_ALGORITHMS, MAX_HEADER_BYTES, MAX_JSON_DEPTH, PRESENTATION_TYPES, VC2_CONTEXT } from '../constants.ts'
import { InvalidEnvelopeError, InvalidSignatureError, PayloadTooLargeError, UnsupportedAlgorithmError, UnsupportedFormatError } from './errors.ts'
import { assertJsonDepth } from './json-limits.ts'
import { assertChainDates } from './certificate-chain.ts'
import { verifyJwsSignature } from './signature.ts'
import type { AbortOptions, DidResolver, ResolvedKey } from './did-resolver.ts'

const BASE64URL = /^[A-Za-z0-9_-]*$/

export interface DecodedJws {
  jws: string
  header: JWSHeaderParameters & { alg: string, kid: string, typ?: string, cty?: string, iss?: string }
  payload: Record<string, any>
  /** the header's and the payload's JSON text, as decoded from their segments */
  texts: { header: string, payload: string }
}

/** Reads a compact JWS without checking its signature; refuses anything malformed or oversized. */
export function decodeJws (input: unknown, maxBytes: number, what: string): DecodedJws {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw new InvalidEnvelopeError(`${what} must be a compact JWS string`)
  if (input.length > maxBytes) throw new PayloadTooLargeError(`${what} is ${input.length} bytes, more than the limit of ${maxBytes}`)
  const jws = (typeof input === 'string' ? input : Buffer.from(input).toString('utf8')).trim()
  if (jws.startsWith('{')) throw legacyOrJson(jws, what)
  const parts = jws.split('.')
  if (parts.length !== 3 || !parts.every(p => BASE64URL.test(p)) || parts[0] === '' || parts[1] === '') {
    throw new InvalidEnvelopeError(`${what} is not a compact JWS (three base64url parts separated by dots)`)
  }
  if (parts[0].length > MAX_HEADER_BYTES * 4 / 3) throw new PayloadTooLargeError(`the JWS header is larger than ${MAX_HEADER_BYTES} bytes`)
  const headerText = textOfPart(parts[0])
  const header = parseJsonPart(headerText, 'JWS header')
  const alg = header.alg
  if (typeof alg !== 'string') throw new UnsupportedAlgorithmError('the JWS header has no alg')
  if (alg.toLowerCase() === 'none') throw new UnsupportedAlgorithmError('alg "none" (an unsigned JWS) is never accepted')
  if (/^HS\d+$/i.test(alg)) throw new UnsupportedAlgorithmError(`HMAC algorithm ${alg} is never accepted: credentials must be signed with an asymmetric key`)
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) throw new UnsupportedAlgorithmError(`algorithm ${alg} is not allowed (allowed: ${ALLOWED_ALGORITHMS.join(', ')})`)
  // no JWS extension is understood here (RFC 7515 §4.1.11): one marked critical is refused, as jose would
  if (header.crit != null) throw new InvalidEnvelopeError(`the JWS header marks extensions as critical (crit ${JSON.stringify(header.crit).slice(0, 60)}) that gxcat does not understand`)
  const payloadText = textOfPart(parts[1])
  const payload = parseJsonPart(payloadText, 'JWS payload')
  assertNotVcJwt11(typeof header.typ === 'string' ? header.typ : undefined, payload)
  if (typeof header.kid !== 'string' || !header.kid.startsWith('did:')) throw new InvalidEnvelopeError('the JWS header has no kid naming a DID URL of the issuer key')
  if (parts[2] === '') throw new InvalidSignatureError(`${what} has an empty signature`)
  return { jws, header: header as DecodedJws['header'], payload, texts: { header: headerText, payload: payloadText } }
}

/**
 * A JWT of VC Data Model 1.1 (`typ` JWT or none, the credential under a `vc` or `vp` claim) is
 * refused by name, with what to submit instead, wherever it is submitted.
 */
export function assertNotVcJwt11 (typ: string | undefined, payload: Record<string, any>): void {
  if (claimWrapped(payload, 'vc') != null || claimWrapped(payload, 'vp') != null) return
  if ((typ == null || mediaTypeOf(typ) === 'jwt') && (('vc' in payload && !('credentialSubject' in payload)) || ('vp' in payload && !('verifiableCredential' in payload)))) {
    throw new UnsupportedFormatError(`this is a VC-JWT 1.1 (typ ${typ ?? 'absent'}, the ${'vc' in payload ? 'credential under the "vc"' : 'presentation under the "vp"'} claim); gxcat takes VC 2.0 secured with VC-JOSE: a JWS whose payload is the credential itself, typ vc+ld+json+jwt (or vc+jwt, vc+ld+jwt), or a VP-JWT of such credentials`)
  }
}

/**
 * The VC 2.0 credential (`vc`) or presentation (`vp`) a JWT carries in a claim, as OID4VCI's
 * `jwt_vc_json` and the danubetech libraries write them (the Eclipse XFSC catalogue takes them);
 * undefined unless the claim is an object whose first context is VC 2.0's. The VC 1.1 data
 * model under the same claims stays refused (assertNotVcJwt11).
 */
export function claimWrapped (payload: Record<string, any>, claim: 'vc' | 'vp'): Record<string, any> | undefined {
  const inner = payload[claim]
  if (inner == null || typeof inner !== 'object' || Array.isArray(inner)) return undefined
  return ([] as unknown[]).concat(inner['@context'] ?? [])[0] === VC2_CONTEXT ? inner : undefined
}

/** The credential a JWS payload holds: the payload itself (VC-JOSE), or its VC 2.0 `vc` claim. */
export function credentialOfPayload (payload: Record<string, any>): Record<string, any> {
  return 'credentialSubject' in payload ? payload : claimWrapped(payload, 'vc') ?? payload
}

/** The presentation a JWS payload holds: the payload itself (VC-JOSE), or its VC 2.0 `vp` claim. */
export function presentationOfPayload (payload: Record<string, any>): Record<string, any> {
  return 'verifiableCredential' in payload ? payload : claimWrapped(payload, 'vp') ?? payload
}

/**
 * The credential of a compact JWS that was verified before (stored versions), without checking
 * anything again: its payload, or the credential in its `vc` claim.
 */
export function payloadOfVerifiedJws (jws: string): Record<string, any> {
  return credentialOfPayload(JSON.parse(payloadTextOfJws(jws)))
}

/** The JSON text of a compact JWS's payload, decoded and nothing else. */
export function payloadTextOfJws (jws: string): string {
  return Buffer.from(jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.')), 'base64url').toString('utf8')
}

/**
 * A `typ` or `cty` header value as the media type it names: RFC 7515 (4.1.9, 4.1.10) has a
 * recipient treat `vc+jwt` and `application/vc+jwt` alike, and media types ignore case, as jose's
 * own `typ` check does. Undefined where the value is not a string.
 */
export function mediaTypeOf (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const lower = value.toLowerCase()
  return lower.startsWith('application/') && lower.indexOf('/', 'application/'.length) < 0 ? lower.slice('application/'.length) : lower
}

/** The `typ` of a compact JWS's header as a media type (mediaTypeOf), or undefined if it cannot be read. Checks nothing else. */
export function typOfJws (jws: string): string | undefined {
  try {
    return mediaTypeOf(JSON.parse(Buffer.from(jws.slice(0, jws.indexOf('.')), 'base64url').toString('utf8'))?.typ)
  } catch {
    return undefined
  }
}

/** Whether a compact JWS says it is a presentation: by its `typ`, or (typ JWT or none) by a VC 2.0 presentation in its vp claim. */
export function isPresentationJws (jws: string): boolean {
  const typ = typOfJws(jws)
  if ((PRESENTATION_TYPES as readonly string[]).includes(typ ?? '')) return true
  if (typ != null && typ !== 'jwt') return false
  try {
    const payload = JSON.parse(payloadTextOfJws(jws))
    return payload != null && typeof payload === 'object' && presentationOfPayload(payload) !== payload
  } catch {
    return false
  }
}

/** Checks a JWS's signature with a key: node:crypto on libuv's thread pool unless a pool of worker threads does it. */
export type SignatureCheck = (jws: string, alg: string, key: KeyObject) => Promise<boolean>

/**
 * Verifies the signature of a decoded JWS with the key its kid names, and the validity dates of
 * that key's certificate chain if it has one. Returns the key.
 */
export async function verifySignature (decoded: Pick<DecodedJws, 'jws' | 'header'>, resolver: DidResolver, options: AbortOptions & { now?: number, check?: SignatureCheck } = {}): Promise<ResolvedKey> {
  const { key, cryptoKey } = await resolver.importKey(decoded.header.kid, decoded.header.alg, options)
  if (key.chain != null) assertChainDates(key.chain, options.now)
  let valid = false
  try {
    valid = await (options.check ?? verifyJwsSignature)(decoded.jws, decoded.header.alg, cryptoKey)
  } catch (err: any) {
    throw new InvalidSignatureError(`the signature does not verify with ${decoded.header.kid}: ${err.message}`)
  }
  if (!valid) throw new InvalidSignatureError(`the signature does not verify with ${decoded.header.kid}: signature verification failed`)
  return key
}

function textOfPart (part: string): string {
  return Buffer.from(part, 'base64url').toString('utf8')
}

function parseJsonPart (text: string, what: string): Record<string, any> {
  assertJsonDepth(text, MAX_JSON_DEPTH, what)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InvalidEnvelopeError(`the ${what} is not valid JSON`)
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidEnvelopeError(`the ${what} is not a JSON object`)
  return value as Record<string, any>
}

/** A JSON-LD credential with an embedded Linked Data proof: Tagus/Elbe, refused by name. */
export function embeddedProofError (what: string): UnsupportedFormatError {
  return new UnsupportedFormatError(`${what} is a JSON-LD credential with an embedded Linked Data proof (Gaia-X Tagus/Elbe, VC 1.1); submit it as a VC-JWT (typ vc+ld+json+jwt, Gaia-X Loire) instead`)
}

/** Why unsigned JSON-LD cannot be published or verified (it can be validated). */
export function unsignedError (): InvalidEnvelopeError {
  return new InvalidEnvelopeError('the input is unsigned JSON-LD; sign it first (gxcat sign) and submit the compact JWS, a VP-JWT, or an EnvelopedVerifiableCredential')
}

function legacyOrJson (text: string, what: string): Error {
  try {
    assertJsonDepth(text, MAX_JSON_DEPTH, what)
    const value = JSON.parse(text)
    if (value?.proof != null) return embeddedProofError(what)
    return unsignedError()
  } catch (err: any) {
    if (err.name === 'NestingTooDeepError') return err
    return new InvalidEnvelopeError(`${what} is neither a compact JWS nor JSON`)
  }
}
