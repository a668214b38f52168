/**
 * What someone submits, read the same way wherever it is submitted (publish, validate, verify):
 * a VC-JWT, a VP-JWT, the same two as JSON-LD envelopes (`EnvelopedVerifiableCredential` /
 * `EnvelopedVerifiablePresentation` with a `data:` URL id), an unsigned JSON-LD presentation
 * listing enveloped credentials (each stands on its own signature), or plain JSON-LD (a
 * credential or a bare graph, unsigned: it can be validated, not published). Legacy formats are
 * refused by name here, before anything else looks at them.
 */
import {
  CREDENTIAL_TYPES, MAX_JSON_DEPTH, MAX_PRESENTATION_CREDENTIALS, PRESENTATION_TYPES, VC1_CONTEXT
} from '../constants.ts'
import { InvalidEnvelopeError, InvalidPresentationError, UnsupportedFormatError } from './errors.ts'
import { assertJsonDepth } from './json-limits.ts'
import { embeddedProofError, isPresentationJws } from './jws.ts'

export type Submission =
  | { kind: 'credential', jws: string }
  | { kind: 'presentation', jws: string }
  /** an unsigned JSON-LD presentation: each item an enveloped credential (its JWS) or a plain JSON-LD credential */
  | { kind: 'bundle', items: BundleItem[] }
  /** unsigned JSON-LD: a credential, or a bare graph with no envelope */
  | { kind: 'json-ld', document: Record<string, any> }

export type BundleItem = { jws: string } | { credential: Record<string, any> }

const CREDENTIAL_MEDIA_TYPES = CREDENTIAL_TYPES.map(t => `application/${t}`)
const PRESENTATION_MEDIA_TYPES = PRESENTATION_TYPES.map(t => `application/${t}`)

export function readSubmission (input: string, what = 'the body'): Submission {
  const text = input.trim()
  if (!text.startsWith('{')) {
    return isPresentationJws(text) ? { kind: 'presentation', jws: text } : { kind: 'credential', jws: text }
  }
  assertJsonDepth(text, MAX_JSON_DEPTH, what)
  let value: any
  try {
    value = JSON.parse(text)
  } catch (err: any) {
    throw new InvalidEnvelopeError(`${what} starts as JSON but is not JSON: ${err.message}`)
  }
  return readJsonSubmission(value, what)
}

export function readJsonSubmission (value: any, what = 'the body'): Submission {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidEnvelopeError(`${what} is not a JSON object`)
  assertNotLegacy(value, what)
  const types = typesOf(value)
  if (types.includes('EnvelopedVerifiableCredential')) return { kind: 'credential', jws: unwrapDataUrl(value.id, CREDENTIAL_MEDIA_TYPES, what) }
  if (types.includes('EnvelopedVerifiablePresentation')) return { kind: 'presentation', jws: unwrapDataUrl(value.id, PRESENTATION_MEDIA_TYPES, what) }
  if (types.includes('VerifiablePresentation')) {
    const listed = ([] as unknown[]).concat(value.verifiableCredential ?? [])
    if (listed.length === 0) throw new InvalidPresentationError('the presentation lists no credential')
    if (listed.length > MAX_PRESENTATION_CREDENTIALS) throw new InvalidPresentationError(`the presentation lists ${listed.length} credentials, more than ${MAX_PRESENTATION_CREDENTIALS}`)
    const items = listed.map((item: any, i): BundleItem => {
      const where = `verifiableCredential[${i}]`
      if (item == null || typeof item !== 'object' || Array.isArray(item)) throw new InvalidPresentationError(`${where} is not a JSON object`)
      assertNotLegacy(item, where)
      const itemTypes = typesOf(item)
      if (itemTypes.includes('EnvelopedVerifiablePresentation') || itemTypes.includes('VerifiablePresentation')) throw new InvalidPresentationError(`${where} is a presentation: nested presentations are not accepted`)
      if (itemTypes.includes('EnvelopedVerifiableCredential')) return { jws: unwrapDataUrl(item.id, CREDENTIAL_MEDIA_TYPES, where) }
      return { credential: item }
    })
    return { kind: 'bundle', items }
  }
  return { kind: 'json-ld', document: value }
}

function typesOf (value: Record<string, any>): unknown[] {
  return ([] as unknown[]).concat(value.type ?? value['@type'] ?? [])
}

/** Tagus/Elbe: VC 1.1 JSON-LD, with or without its embedded Linked Data proof. */
function assertNotLegacy (value: Record<string, any>, what: string): void {
  const contexts = ([] as unknown[]).concat(value['@context'] ?? [])
  if (value.proof != null) throw embeddedProofError(what)
  if (contexts[0] === VC1_CONTEXT) {
    throw new UnsupportedFormatError(`${what} is a VC 1.1 document (context ${VC1_CONTEXT}, as Gaia-X Tagus/Elbe used); gxcat takes VC 2.0 credentials secured as VC-JWT (Loire)`)
  }
}

/** The compact JWS inside a `data:` URL of one of the allowed media types (`;base64` or not). */
export function unwrapDataUrl (id: unknown, mediaTypes: readonly string[], what: string): string {
  if (typeof id !== 'string' || !id.startsWith('data:')) throw new InvalidEnvelopeError(`${what}: an enveloped credential's id must be a data: URL, not ${JSON.stringify(id)?.slice(0, 100)}`)
  const comma = id.indexOf(',')
  if (comma < 0) throw new InvalidEnvelopeError(`${what}: the data: URL has no comma before its data`)
  const [mediaType, ...parameters] = id.slice('data:'.length, comma).split(';').map(p => p.trim())
  if (!mediaTypes.includes(mediaType.toLowerCase())) throw new InvalidEnvelopeError(`${what}: the data: URL is of media type "${mediaType}", not ${mediaTypes.join(', ')}`)
  const data = id.slice(comma + 1)
  let jws: string
  try {
    jws = parameters.includes('base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data)
  } catch {
    throw new InvalidEnvelopeError(`${what}: the data: URL's data cannot be decoded`)
  }
  return jws.trim()
}
