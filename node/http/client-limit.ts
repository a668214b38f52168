/**
 * Per-client rate limits on the routes that cost the node work (their policy says `costly`:
 * publishing, revoking, validating, SPARQL, sync), for an API beyond loopback: a client past its
 * window gets 429 with Retry-After instead of a place in an unbounded queue. Reads by filter are
 * not limited.
 */
import { RateLimiter } from '@libp2p/utils'
import { RateLimitedError } from '../errors.ts'
import { policyOf } from './route-policy.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'

export interface ClientLimit {
  /** costly requests one client (IP address) may make per window */
  requests: number
  windowMs: number
}

export function registerClientLimit (app: FastifyInstance, limit: ClientLimit): void {
  const limiter = new RateLimiter({ points: limit.requests, duration: limit.windowMs / 1000 })
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (policyOf(request).costly !== true) return
    try {
      limiter.consume(request.ip)
    } catch (err: any) {
      const retryAfter = Math.max(1, Math.ceil((err.msBeforeNext ?? limit.windowMs) / 1000))
      throw new RateLimitedError(`more than ${limit.requests} costly requests in ${Math.round(limit.windowMs / 1000)} s from ${request.ip}; try again in ${retryAfter} s`, retryAfter)
    }
  })
}
