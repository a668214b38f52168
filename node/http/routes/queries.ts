/**
 * SPARQL (read-only) and validation on demand: the official Gaia-X SHACL shapes (2511 and the
 * 25.11 development shapes), and for signed credentials the verdict on signature, dates, chain
 * and status, optionally as of another time (`?at=ISO`). Nothing is stored.
 */
import { readJsonSubmission, readSubmission, validateSubmission } from '../../../protocols/self-description/index.ts'
import { InvalidQueryError, InvalidRequestError } from '../../errors.ts'
import type { ApiContext } from '../server.ts'

export function registerQueryRoutes ({ app, node, requireWrite }: ApiContext): void {
  const sparql = async (query: unknown, accept: string | undefined): Promise<{ contentType: string, body: string }> => {
    if (typeof query !== 'string' || query.trim() === '') throw new InvalidQueryError('send a SPARQL query as application/sparql-query, or as the query parameter')
    return node.sparql(query, accept)
  }

  app.post('/v1/sparql', async (request, reply) => {
    const body = request.body
    const query = typeof body === 'string' ? body : (body as any)?.query
    const result = await sparql(query, request.headers.accept)
    return reply.type(result.contentType).send(result.body)
  })

  app.get('/v1/sparql', async (request, reply) => {
    const result = await sparql((request.query as any).query, request.headers.accept)
    return reply.type(result.contentType).send(result.body)
  })

  // validation fetches DID documents, chains and status lists and runs the shapes: beyond
  // loopback it needs the token, as writes do
  app.post('/v1/validate', { preHandler: requireWrite }, async (request) => {
    const body = request.body
    const at = one((request.query as Record<string, unknown>).at, 'at')
    const now = at == null ? undefined : Date.parse(at)
    if (now != null && (Number.isNaN(now) || !/^\d{4}-\d\d-\d\dT/.test(at ?? ''))) throw new InvalidQueryError(`at takes an ISO date-time, not "${at}"`)
    if (body == null || body === '') throw new InvalidRequestError('send a credential: a compact JWS, a presentation, or JSON-LD')
    const submission = typeof body === 'string' ? readSubmission(body) : readJsonSubmission(body)
    return validateSubmission(submission, { resolver: node.resolver, status: node.status, now })
  })
}

function one (value: unknown, name: string): string | undefined {
  if (value == null) return undefined
  if (Array.isArray(value)) throw new InvalidQueryError(`${name} may be given once`)
  return String(value)
}
