/**
 * Per-client rate limits on the routes that cost the node work (publishing, revoking,
 * validating, SPARQL, sync), for an API beyond loopback: a client past its window gets 429 with
 * Retry-After instead of a place in an unbounded queue. Reads by filter are not limited.
 */
import { RateLimiter } from '@libp2p/utils'
import { RateLimitedError } from '../errors.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'

export interface ClientLimit {
  /** costly requests one client (IP address) may make per window */
  requests: number
  windowMs: number
}

const COSTLY = new Set(['POST /v1/self-descriptions', 'POST /v1/revocations', 'POST /v1/validate', 'POST /v1/sparql', 'GET /v1/sparql', 'POST /v1/sync'])

/** `METHOD /path` of a request, without its query string. */
export const routeOf = (request: FastifyRequest): string => `${request.method} ${request.url.split('?')[0]}`

/** Routes that cost the node work: writes, validation, SPARQL, sync. */
export const isCostly = (request: FastifyRequest): boolean => COSTLY.has(routeOf(request))

export function registerClientLimit (app: FastifyInstance, limit: ClientLimit): void {
  const limiter = new RateLimiter({ points: limit.requests, duration: limit.windowMs / 1000 })
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!isCostly(request)) return
    try {
      limiter.consume(request.ip)
    } catch (err: any) {
      const retryAfter = Math.max(1, Math.ceil((err.msBeforeNext ?? limit.windowMs) / 1000))
      throw new RateLimitedError(`more than ${limit.requests} costly requests in ${Math.round(limit.windowMs / 1000)} s from ${request.ip}; try again in ${retryAfter} s`, retryAfter)
    }
  })
}
