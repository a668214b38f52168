/**
 * The report `POST /v1/validate` and `gxcat verify` give for whatever a participant holds: a
 * VC-JWT (shapes, and the verdict on its signature, dates, chain and status), a VP-JWT or an
 * unsigned JSON-LD presentation (a report per credential), a JSON-LD credential or a bare JSON-LD
 * graph (shapes only). Validity is judged as of `now`, so an expired real credential's
 * signature, chain and shapes can still be checked. A format that gxcat refuses is thrown, with
 * the same error name publishing it would get.
 */
import { MAX_CREDENTIAL_BYTES } from '../constants.ts'
import { gaiaxShapes, validateGaiaxShapes } from './gaia-x-shapes.ts'
import { assertGraphBounds } from './graph-bounds.ts'
import { credentialOfPayload, decodeJws } from './jws.ts'
import { verifyPresentation } from './presentation.ts'
import { readSubmission, type Submission } from './submission.ts'
import { verifyCredential, type VerifiedCredential } from './verify.ts'
import { readContexts } from './vocabulary.ts'
import type { AbortOptions, DidResolver } from './did-resolver.ts'
import type { ShapeViolation } from './errors.ts'
import type { StatusChecker } from './status-list.ts'

export interface Verdict {
  valid: boolean
  error?: { name: string, message: string }
}

export interface CredentialReport {
  conforms: boolean
  violations: ShapeViolation[]
  /** for a signed credential: its signature, dates, certificate chain and status */
  signature?: Verdict
  /** what the credential is, when it could be read */
  issuer?: string
  subject?: string
  types?: string[]
  cid?: string
  verified?: VerifiedCredential
}

export interface ValidationReport extends Omit<CredentialReport, 'verified'> {
  /** a presentation's own signature (VP-JWT) */
  presentation?: Verdict
  /** one report per credential of a presentation */
  credentials?: CredentialReport[]
}

export interface ValidateOptions extends AbortOptions {
  resolver: DidResolver
  /** judge dates as of this time. @default now */
  now?: number
  /** status lists (revocation, suspension); none checked when absent */
  status?: StatusChecker
}

function errorOf (err: any): { name: string, message: string } {
  return { name: err.name, message: err.message }
}

/** Reads and judges a body as `POST /v1/validate` does. */
export async function validateSubmission (input: string | Submission, options: ValidateOptions): Promise<ValidationReport> {
  const submission = typeof input === 'string' ? readSubmission(input) : input
  if (submission.kind === 'credential') return withoutVerified(await reportOfJws(submission.jws, options))
  if (submission.kind === 'json-ld') {
    const document = submission.document
    if (document.credentialSubject != null) {
      assertGraphBounds(document)
      readContexts(document['@context'])
      const violations = await validateGaiaxShapes(document)
      return { conforms: violations.length === 0, violations }
    }
    const violations = await gaiaxShapes().validateGraph(document)
    return { conforms: violations.length === 0, violations }
  }
  let presentation: Verdict | undefined
  let items: Array<{ jws: string } | { credential: Record<string, any> }>
  if (submission.kind === 'presentation') {
    const verified = await verifyPresentation(submission.jws, { resolver: options.resolver, signal: options.signal, now: options.now })
    presentation = { valid: true }
    items = verified.credentials.map(jws => ({ jws }))
  } else {
    items = submission.items
  }
  const credentials = await Promise.all(items.map(async item => {
    if ('jws' in item) {
      try {
        return withoutVerified(await reportOfJws(item.jws, options))
      } catch (err: any) {
        return { conforms: false, violations: [], signature: { valid: false, error: errorOf(err) } }
      }
    }
    try {
      assertGraphBounds(item.credential)
      readContexts(item.credential['@context'])
      const violations = await validateGaiaxShapes(item.credential)
      return { conforms: violations.length === 0, violations }
    } catch (err: any) {
      return { conforms: false, violations: [], signature: { valid: false, error: errorOf(err) } }
    }
  }))
  return {
    conforms: credentials.every(c => c.conforms),
    violations: credentials.flatMap(c => c.violations),
    ...(presentation != null ? { presentation } : {}),
    credentials
  }
}

function withoutVerified (report: CredentialReport): CredentialReport {
  const { verified, ...rest } = report
  return rest
}

/**
 * One VC-JWT: its shapes always (when its payload can be read), and the verdict on everything
 * else. A JWS that cannot be read at all (not a JWS, a refused algorithm or format) is thrown.
 */
export async function reportOfJws (jws: string, options: ValidateOptions): Promise<CredentialReport> {
  const decoded = decodeJws(jws, MAX_CREDENTIAL_BYTES, 'the credential')
  // a credential whose graph the shapes cannot see whole gets no report on its shapes
  assertGraphBounds(decoded.payload)
  // the credential itself, also where a JWT carries it under its vc claim
  const violations = await validateGaiaxShapes(credentialOfPayload(decoded.payload)).catch((err: Error) => [{ focusNode: '_:credential', message: err.message }])
  let signature: Verdict
  let verified: VerifiedCredential | undefined
  try {
    verified = await verifyCredential(jws, { resolver: options.resolver, status: options.status, now: options.now, signal: options.signal, skipShapes: true })
    signature = { valid: true }
  } catch (err: any) {
    if (err.name === 'UnsupportedFormatError') throw err
    signature = { valid: false, error: errorOf(err) }
  }
  return {
    conforms: violations.length === 0,
    violations,
    signature,
    ...(verified != null ? { issuer: verified.issuer, subject: verified.subject, types: verified.types, cid: verified.cid, verified } : {})
  }
}
