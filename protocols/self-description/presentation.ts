/**
 * Verifiable presentations as VP-JWT (Gaia-X Loire): a compact JWS whose payload is a VC 2.0
 * presentation enveloping credentials as `EnvelopedVerifiableCredential` with an id
 * `data:application/vc+ld+json+jwt,<JWS>`. The presentation's own signature is verified here;
 * each enveloped credential is then verified and stored on its own, by the caller, since other
 * nodes receive them one by one through gossip.
 */
import {
  CREDENTIAL_TYPES, MAX_PRESENTATION_BYTES, MAX_PRESENTATION_CREDENTIALS, PRESENTATION_CONTENT_TYPES, PRESENTATION_TYPES
} from '../constants.ts'
import { InvalidEnvelopeError, InvalidPresentationError, IssuerMismatchError } from './errors.ts'
import { decodeJws, mediaTypeOf, presentationOfPayload, verifySignature } from './jws.ts'
import { didOf } from './keys.ts'
import { readContexts } from './vocabulary.ts'
import { unwrapDataUrl } from './submission.ts'
import type { AbortOptions, DidResolver } from './did-resolver.ts'

export interface VerifiedPresentation {
  jws: string
  holder: string
  /** the compact JWS of each enveloped credential, in order */
  credentials: string[]
}

export async function verifyPresentation (input: string, options: AbortOptions & { resolver: DidResolver, now?: number }): Promise<VerifiedPresentation> {
  const decoded = decodeJws(input, MAX_PRESENTATION_BYTES, 'the presentation')
  const { header } = decoded
  // a JWT may carry the presentation in its vp claim (typ JWT or none)
  const payload = presentationOfPayload(decoded.payload)
  const wrapped = payload !== decoded.payload
  const typ = mediaTypeOf(header.typ)
  if (!(PRESENTATION_TYPES as readonly string[]).includes(typ ?? '') && !(wrapped && (typ == null || typ === 'jwt'))) throw new InvalidEnvelopeError(`typ "${header.typ}" is not a VP-JWT type (${PRESENTATION_TYPES.join(', ')})`)
  if (header.cty != null && !(PRESENTATION_CONTENT_TYPES as readonly string[]).includes(mediaTypeOf(header.cty) ?? '')) throw new InvalidEnvelopeError(`cty "${header.cty}" is not a presentation content type (${PRESENTATION_CONTENT_TYPES.join(', ')})`)
  readContexts(payload['@context'])
  const types = ([] as unknown[]).concat(payload.type ?? [])
  if (!types.includes('VerifiablePresentation')) throw new InvalidPresentationError('type must include VerifiablePresentation')
  const holder = typeof payload.holder === 'string' ? payload.holder : typeof payload.holder?.id === 'string' ? payload.holder.id : didOf(header.kid)
  if (didOf(header.kid) !== holder) throw new IssuerMismatchError(`kid ${header.kid} is not a key of the holder ${holder}`)
  for (const iss of [header.iss, decoded.payload.iss]) {
    if (iss != null && iss !== holder) throw new IssuerMismatchError(`iss ${String(iss)} does not match the holder ${holder}`)
  }
  const enveloped = ([] as unknown[]).concat(payload.verifiableCredential ?? [])
  if (enveloped.length === 0) throw new InvalidPresentationError('the presentation envelops no credential')
  if (enveloped.length > MAX_PRESENTATION_CREDENTIALS) throw new InvalidPresentationError(`the presentation envelops ${enveloped.length} credentials, more than ${MAX_PRESENTATION_CREDENTIALS}`)
  const credentials = enveloped.map((entry: any, i) => {
    const entryTypes = ([] as unknown[]).concat(entry?.type ?? [])
    if (entryTypes.includes('EnvelopedVerifiablePresentation')) throw new InvalidPresentationError(`verifiableCredential[${i}] is a presentation: nested presentations are not accepted`)
    if (!entryTypes.includes('EnvelopedVerifiableCredential') || typeof entry?.id !== 'string') throw new InvalidPresentationError(`verifiableCredential[${i}] is not an EnvelopedVerifiableCredential with a data: URL id`)
    return unwrapDataUrl(entry.id, CREDENTIAL_TYPES.map(t => `application/${t}`), `verifiableCredential[${i}]`)
  })
  await verifySignature(decoded, options.resolver, options)
  return { jws: decoded.jws, holder, credentials }
}
