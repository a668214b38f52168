/**
 * What a browser may do with a node: a web page of another origin cannot call the routes whose
 * policy says `sameOrigin` (writes, validation, sync, the listing; a cross-site `text/plain` POST
 * is refused, with or without a token), and no
 * request is answered for a Host the node does not serve, so DNS rebinding cannot turn a page
 * into a same-origin caller of a loopback node. Reads are open to the origins the operator
 * lists (`--cors`), to none by default.
 */
import { ForbiddenOriginError } from '../errors.ts'
import { policyOf } from './route-policy.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export interface OriginGuardInit {
  /** origins (scheme://host[:port]) allowed to call the API from a browser */
  cors?: string[]
  /** Host names answered to besides loopback names (for a loopback node) or at all (when given) */
  allowedHosts?: string[]
  /** the API listens on loopback only: Host must be a loopback name or an allowed host */
  loopbackOnly?: boolean
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

function hostnameOf (host: string): string {
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim().toLowerCase())
  return match?.[1] ?? ''
}

export function registerOriginGuard (app: FastifyInstance, init: OriginGuardInit): void {
  const cors = new Set((init.cors ?? []).map(o => o.replace(/\/+$/, '').toLowerCase()))
  const allowedHosts = new Set((init.allowedHosts ?? []).map(h => hostnameOf(h)))

  const hostServed = (host: string | undefined): boolean => {
    const name = hostnameOf(host ?? '')
    if (allowedHosts.has(name)) return true
    if (init.loopbackOnly === true) return LOOPBACK_NAMES.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name)
    return allowedHosts.size === 0
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostServed(request.headers.host)) {
      throw new ForbiddenOriginError(`Host ${JSON.stringify(request.headers.host ?? '')} is not a name this node serves (start it with --allowed-host NAME to serve one)`)
    }
    const origin = request.headers.origin
    if (origin == null) return
    const normalised = origin.toLowerCase()
    const sameOrigin = normalised === `http://${String(request.headers.host).toLowerCase()}` || normalised === `https://${String(request.headers.host).toLowerCase()}`
    const listed = cors.has(normalised)
    const path = request.url.split('?')[0]
    if (!sameOrigin && !listed && policyOf(request).sameOrigin === true) {
      throw new ForbiddenOriginError(`a web page of origin ${origin} may not call ${request.method} ${path} on this node${cors.size > 0 ? '' : ' (no origin is allowed: --cors ORIGIN)'}`)
    }
    if (listed) {
      void reply.header('access-control-allow-origin', origin)
      void reply.header('vary', 'Origin')
    }
  })

  // CORS preflight for the listed origins
  app.options('/*', { config: { sameOrigin: true }, schema: { hide: true } }, async (request, reply) => {
    return reply.status(204)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'content-type, authorization, accept')
      .header('access-control-max-age', '600')
      .send()
  })
}
