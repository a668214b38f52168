/**
 * Back-pressure for every client, loopback included: at most so many costly requests (routes
 * whose policy says `admitted`: publish, revoke, validate, sync) are worked on at once; one past that is answered 503 NodeBusyError
 * with Retry-After at once, instead of waiting in a queue whose length nobody bounds. A request
 * takes its place once its body has arrived (HTTP_REQUEST_TIMEOUT_MS bounds how long that may
 * take), so that slow uploads cannot hold the places while they send nothing. SPARQL
 * queries are bounded by the engine's own queue (rdf-index.ts), which knows how long they run.
 */
import { NodeBusyError } from '../errors.ts'
import { policyOf } from './route-policy.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'

const admitted = new WeakSet<FastifyRequest>()

export function registerAdmission (app: FastifyInstance, maxInFlight: number): void {
  let inFlight = 0
  const leave = async (request: FastifyRequest): Promise<void> => {
    if (admitted.delete(request)) inFlight--
  }
  // counted once the body has arrived: a client that trickles its bodies holds none of the places
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (policyOf(request).admitted !== true) return
    if (inFlight >= maxInFlight) throw new NodeBusyError(`${inFlight} costly requests are being worked on; try again shortly`)
    inFlight++
    admitted.add(request)
  })
  app.addHook('onResponse', leave)
  app.addHook('onRequestAbort', leave)
}
