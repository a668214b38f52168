/**
 * How errors reach HTTP clients: `{"error": {"name", "message"}}` with a status that says
 * whose fault it was: gxcat's own errors carry it (protocols/errors.ts), fastify's are named.
 */
import { CatalogueError } from '../../protocols/errors.ts'
import { RetryLaterError } from '../errors.ts'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

const FASTIFY_NAMES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PayloadTooLargeError',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaTypeError',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'InvalidRequestError',
  FST_ERR_CTP_INVALID_JSON_BODY: 'InvalidRequestError',
  FST_ERR_VALIDATION: 'InvalidRequestError'
}

export function statusOf (err: Error & { statusCode?: number, code?: string }): number {
  if (err.code != null && FASTIFY_NAMES[err.code] != null && err.statusCode != null) return err.statusCode
  if (err instanceof CatalogueError) return err.httpStatus
  if (err.statusCode != null && err.statusCode >= 400 && err.statusCode < 600) return err.statusCode
  return 500
}

/** A request its route's schema refused: in the query or path it is a bad query, and a parameter given twice is said so. */
function validationError (err: Error & { validationContext?: string, validation?: Array<{ instancePath: string, keyword: string, message?: string }> }): { name: string, message: string } | undefined {
  const context = err.validationContext
  if (context !== 'querystring' && context !== 'params') return undefined
  const first = err.validation?.[0]
  const parameter = first?.instancePath.replace(/^\//, '') ?? ''
  if (first?.keyword === 'type' && parameter !== '') return { name: 'InvalidQueryError', message: `${parameter} may be given once` }
  return { name: 'InvalidQueryError', message: err.message }
}

export function errorBody (err: Error & { code?: string, violations?: unknown }): { error: { name: string, message: string, violations?: unknown } } {
  const validation = err.code === 'FST_ERR_VALIDATION' ? validationError(err) : undefined
  const name = validation?.name ?? (err.code != null ? FASTIFY_NAMES[err.code] : undefined) ?? err.name ?? 'Error'
  return { error: { name, message: validation?.message ?? err.message, ...(err.violations != null ? { violations: err.violations } : {}) } }
}

export async function handleError (err: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const status = statusOf(err)
  if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed')
  if (err instanceof RetryLaterError) void reply.header('retry-after', String(Math.ceil(err.retryAfter)))
  await reply.status(status).send(errorBody(err))
}
