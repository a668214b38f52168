/**
 * How errors reach HTTP clients: `{"error": {"name", "message"}}` with a status that says
 * whose fault it was.
 */
import { RetryLaterError } from '../errors.ts'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

const STATUS_BY_NAME: Record<string, number> = {
  NotFoundError: 404,
  UnauthorizedError: 401,
  EntryRevokedError: 409,
  CredentialRevokedError: 409,
  CredentialSuspendedError: 409,
  PayloadTooLargeError: 413,
  UntrustedChainError: 403,
  ForbiddenOriginError: 403,
  UntrustedIssuerError: 403,
  StoreError: 503,
  SparqlUnavailableError: 503,
  NodeBusyError: 503,
  EntryRateLimitedError: 429,
  RateLimitedError: 429,
  NodeStoppedError: 503
}

/** Errors of bad input from the protocol layer and the query engine: 400. */
const CLIENT_ERRORS = new Set([
  'InvalidEnvelopeError', 'UnsupportedAlgorithmError', 'UnsupportedFormatError', 'InvalidSignatureError', 'KeyNotFoundError',
  'IssuerMismatchError', 'CredentialExpiredError', 'CredentialNotYetValidError', 'UnknownContextError', 'InvalidCredentialError',
  'MissingSubjectIdError', 'ShapeViolationError', 'NestingTooDeepError', 'DidResolutionError', 'RevocationIssuerMismatchError',
  'InvalidKeyError', 'InvalidQueryError', 'ReadOnlyQueryError', 'QueryTimeoutError', 'QueryTooLargeError', 'InvalidPresentationError', 'InvalidRequestError',
  'ExpiredCertificateError', 'CertificateNotYetValidError', 'KeyMismatchError', 'CertificateChainError', 'StatusListError',
  'InvalidIriError', 'CredentialTooComplexError', 'JwtClaimMismatchError', 'InvalidTrustListError'
])

const FASTIFY_NAMES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PayloadTooLargeError',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaTypeError',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'InvalidRequestError',
  FST_ERR_CTP_INVALID_JSON_BODY: 'InvalidRequestError',
  FST_ERR_VALIDATION: 'InvalidRequestError'
}

export function statusOf (err: Error & { statusCode?: number, code?: string }): number {
  if (err.code != null && FASTIFY_NAMES[err.code] != null && err.statusCode != null) return err.statusCode
  const byName = STATUS_BY_NAME[err.name]
  if (byName != null) return byName
  if (CLIENT_ERRORS.has(err.name)) return 400
  if (err.statusCode != null && err.statusCode >= 400 && err.statusCode < 600) return err.statusCode
  return 500
}

export function errorBody (err: Error & { code?: string, violations?: unknown }): { error: { name: string, message: string, violations?: unknown } } {
  const name = (err.code != null ? FASTIFY_NAMES[err.code] : undefined) ?? err.name ?? 'Error'
  return { error: { name, message: err.message, ...(err.violations != null ? { violations: err.violations } : {}) } }
}

export async function handleError (err: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const status = statusOf(err)
  if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed')
  if (err instanceof RetryLaterError) void reply.header('retry-after', String(Math.ceil(err.retryAfter)))
  await reply.status(status).send(errorBody(err))
}
