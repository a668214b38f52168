/**
 * What a route is to the node's HTTP policy, declared beside its schemas as route config
 * (`{ config: { costly: true, … } }`) and read by the hooks: the per-client limit
 * (client-limit.ts), admission (admission.ts), the write check (server.ts) and the origin guard
 * (origin-guard.ts). A new route states its policy where it is declared, not in a list elsewhere.
 */
import type { FastifyRequest } from 'fastify'

export interface RoutePolicy {
  /** costs the node work (writes, validation, SPARQL, sync): beyond loopback, the per-client limit applies */
  costly?: boolean
  /** costly work admitted within MAX_COSTLY_IN_FLIGHT (SPARQL is bounded by its engine's own queue instead) */
  admitted?: boolean
  /** beyond loopback it needs the node's token */
  write?: boolean
  /** a web page of another origin may not call it */
  sameOrigin?: boolean
}

declare module 'fastify' {
  interface FastifyContextConfig extends RoutePolicy {}
}

/** Writes and costly work that a page of another origin must never reach. */
export const WRITE: RoutePolicy = { costly: true, admitted: true, write: true, sameOrigin: true }

/** The policy of the route a request matched (none for a path no route serves). */
export function policyOf (request: FastifyRequest): RoutePolicy {
  return (request.routeOptions?.config ?? {}) as RoutePolicy
}
