/**
 * Counts by facet, SPARQL (read-only) and validation on demand: the official Gaia-X SHACL shapes (2511 and the
 * 25.11 development shapes), and for signed credentials the verdict on signature, dates, chain
 * and status, optionally as of another time (`?at=ISO`). Nothing is stored.
 */
import { isRfc3339, readJsonSubmission, readSubmission, validateSubmission } from '../../../protocols/self-description/index.ts'
import { DEFAULT_FACETS, MAX_FACETS } from '../../constants.ts'
import { InvalidQueryError, InvalidRequestError } from '../../errors.ts'
import { one } from '../query-params.ts'
import type { ApiContext } from '../api-context.ts'

export function registerQueryRoutes ({ app, node, requireWrite }: ApiContext): void {
  const sparql = async (query: unknown, accept: string | undefined): Promise<{ contentType: string, body: string }> => {
    if (typeof query !== 'string' || query.trim() === '') throw new InvalidQueryError('send a SPARQL query as application/sparql-query, or as the query parameter')
    return node.sparql(query, accept)
  }

  // counts kept as entries come and go: an answer at once at any size, for search pages
  app.get('/v1/facets', async (request) => {
    const limit = one((request.query as Record<string, unknown>).limit, 'limit') ?? String(DEFAULT_FACETS)
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_FACETS) throw new InvalidQueryError(`limit is a whole number from 1 to ${MAX_FACETS}, not "${limit}"`)
    return node.facets(Number(limit))
  })

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
  app.post('/v1/validate', { onRequest: requireWrite }, async (request) => {
    const body = request.body
    const at = one((request.query as Record<string, unknown>).at, 'at')
    if (at != null && !isRfc3339(at)) throw new InvalidQueryError(`at takes an RFC 3339 date-time (such as 2025-03-07T00:00:00Z), not "${at}"`)
    const now = at == null ? undefined : Date.parse(at)
    if (body == null || body === '') throw new InvalidRequestError('send a credential: a compact JWS, a presentation, or JSON-LD')
    const submission = typeof body === 'string' ? readSubmission(body) : readJsonSubmission(body)
    return validateSubmission(submission, { resolver: node.resolver, status: node.status, now })
  })
}
