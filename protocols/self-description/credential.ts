/**
 * Building a W3C VC 2.0 credential around a Gaia-X credentialSubject.
 */
import { randomUUID } from 'node:crypto'
import { GX_2511, GX_DEVELOPMENT, VC2_CONTEXT, VC_VOCABULARY } from '../constants.ts'
import { InvalidCredentialError } from './errors.ts'
import { isRfc3339 } from './identity.ts'

export type Vocabulary = '2511' | 'development'

export interface Credential {
  '@context': unknown
  type: string | string[]
  id?: string
  issuer: string | { id: string }
  validFrom: string
  validUntil?: string
  credentialSubject: Record<string, unknown>
  [key: string]: unknown
}

export interface BuildCredentialOptions {
  issuer: string
  /** ISO date-time; default: now (or the credential's own validFrom) */
  validFrom?: string
  /** vocabulary for a bare credentialSubject. @default 'development' (as in the Gaia-X Loire examples) */
  vocabulary?: Vocabulary
}

/** Credential types that say nothing about the subject. */
const BASE_TYPES = new Set(['VerifiableCredential', `${VC_VOCABULARY}VerifiableCredential`])

/**
 * The credential's own types but the base one (`gx:LegalPerson` in
 * `"type": ["VerifiableCredential", "gx:LegalPerson"]`): Loire credentials often type only the
 * credential, and these count as its subject's types.
 */
export function credentialTypes (credential: { type?: unknown }): string[] {
  return ([] as unknown[]).concat(credential.type ?? []).filter((t): t is string => typeof t === 'string' && !BASE_TYPES.has(t))
}

export function issuerOf (credential: { issuer?: unknown }): string | undefined {
  const issuer = credential.issuer
  if (typeof issuer === 'string') return issuer
  if (issuer != null && typeof issuer === 'object' && typeof (issuer as any).id === 'string') return (issuer as any).id
  return undefined
}

/**
 * Wraps a bare credentialSubject as a VC, or completes a credential: issuer, validFrom,
 * context and type. A credential that names another issuer is refused.
 */
export function buildCredential (input: Record<string, unknown>, options: BuildCredentialOptions): Credential {
  if (input == null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidCredentialError('a self-description is a JSON object')
  if (options.validFrom != null && !isRfc3339(options.validFrom)) throw new InvalidCredentialError(`validFrom "${options.validFrom}" is not an RFC 3339 date-time (such as 2026-01-01T00:00:00Z)`)
  if ('credentialSubject' in input) {
    const named = issuerOf(input)
    if (named != null && named !== options.issuer) throw new InvalidCredentialError(`the credential names issuer ${named}, but the key is ${options.issuer}`)
    return {
      ...input,
      '@context': input['@context'] ?? [VC2_CONTEXT, options.vocabulary === '2511' ? GX_2511 : GX_DEVELOPMENT],
      type: input.type as string[] ?? ['VerifiableCredential'],
      id: (input.id as string | undefined) ?? `urn:uuid:${randomUUID()}`,
      issuer: (input.issuer as Credential['issuer']) ?? options.issuer,
      validFrom: options.validFrom ?? (input.validFrom as string | undefined) ?? new Date().toISOString(),
      credentialSubject: input.credentialSubject as Record<string, unknown>
    }
  }
  return {
    '@context': [VC2_CONTEXT, options.vocabulary === '2511' ? GX_2511 : GX_DEVELOPMENT],
    type: ['VerifiableCredential'],
    id: `urn:uuid:${randomUUID()}`,
    issuer: options.issuer,
    validFrom: options.validFrom ?? new Date().toISOString(),
    credentialSubject: input
  }
}

/**
 * The credential's subjects, each typed also with the credential's own non-base types (Loire
 * credentials often type only the credential: the subject is validated as of those types).
 */
export function subjectsOf (credential: Record<string, unknown>): unknown[] {
  const subjects = ([] as unknown[]).concat(credential.credentialSubject ?? [])
  const extra = credentialTypes(credential)
  if (extra.length === 0) return subjects
  return subjects.map(subject => {
    if (subject == null || typeof subject !== 'object' || Array.isArray(subject)) return subject
    const own = subject as Record<string, unknown>
    const key = 'type' in own || !('@type' in own) ? 'type' : '@type'
    return { ...own, [key]: [...new Set([...([] as unknown[]).concat(own[key] ?? []), ...extra])] }
  })
}
