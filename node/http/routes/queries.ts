/**
 * Counts by facet, SPARQL (read-only) and validation on demand: the official Gaia-X SHACL shapes (2511 and the
 * 25.11 development shapes), and for signed credentials the verdict on signature, dates, chain
 * and status, optionally as of another time (`?at=ISO`). Nothing is stored.
 */
import { isRfc3339, readJsonSubmission, readSubmission, validateSubmission } from '../../../protocols/self-description/index.ts'
import { DEFAULT_FACETS, MAX_FACETS } from '../../constants.ts'
import { InvalidQueryError, InvalidRequestError } from '../../errors.ts'
import { one, searchFilter } from '../query-params.ts'
import { typeHintOf } from '../type-warning.ts'
import { WRITE } from '../route-policy.ts'
import { errors, FacetsQuery, FacetsReply, SparqlQuery, ValidateQuery, ValidateReply } from '../schemas.ts'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { ApiContext } from '../api-context.ts'

const SPARQL_ANSWER = { 200: { description: 'SPARQL JSON results (or N-Triples for CONSTRUCT/DESCRIBE)', type: 'string' }, ...errors(400, 429, 503) }

export function registerQueryRoutes ({ app: api, node, clientOf }: ApiContext): void {
  const app = api.withTypeProvider<TypeBoxTypeProvider>()
  const sparql = async (query: unknown, request: FastifyRequest): Promise<{ contentType: string, body: string }> => {
    if (typeof query !== 'string' || query.trim() === '') throw new InvalidQueryError('send a SPARQL query as application/sparql-query, or as the query parameter')
    // each client's queries wait in a queue of their own and are charged to its budget
    return node.sparql(query, request.headers.accept, { client: clientOf(request) })
  }

  // without filters, counts kept as entries come and go (an answer at once at any size); within a
  // search, counted over the posting lists: one look per posting of the facets' lists
  app.get('/v1/facets', {
    schema: {
      summary: 'current entries, or those within the listing\'s filters, counted by compliance label level, type, issuer and keyword (gx:keyword), the most frequent first',
      querystring: FacetsQuery,
      response: { 200: FacetsReply, ...errors(400) }
    }
  }, async (request) => {
    const limit = one(request.query.limit, 'limit') ?? String(DEFAULT_FACETS)
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_FACETS) throw new InvalidQueryError(`limit is a whole number from 1 to ${MAX_FACETS}, not "${limit}"`)
    const filter = searchFilter(request.query)
    const facets = await node.facets(Number(limit), filter)
    const warning = filter.type == null ? undefined : typeHintOf(node, filter.type)
    return warning != null ? { ...facets, warning } : facets
  })

  app.post('/v1/sparql', {
    config: { costly: true },
    schema: { summary: 'SPARQL 1.1 query (read-only): application/sparql-query, or {query} as JSON or a form', consumes: ['application/sparql-query', 'application/json', 'application/x-www-form-urlencoded'], response: SPARQL_ANSWER }
  }, async (request, reply) => {
    const body = request.body
    const query = typeof body === 'string' ? body : (body as any)?.query
    const result = await sparql(query, request)
    return reply.type(result.contentType).send(result.body)
  })

  app.get('/v1/sparql', {
    config: { costly: true },
    schema: { summary: 'SPARQL 1.1 query (read-only)', querystring: SparqlQuery, response: SPARQL_ANSWER }
  }, async (request, reply) => {
    const result = await sparql(one(request.query.query, 'query'), request)
    return reply.type(result.contentType).send(result.body)
  })

  // validation fetches DID documents, chains and status lists and runs the shapes: beyond
  // loopback it needs the token, as writes do
  app.post('/v1/validate', {
    config: WRITE,
    schema: {
      summary: 'the report on a credential (VC-JWT), a presentation (VP-JWT, JSON-LD envelope or presentation: one report per credential), a JSON-LD credential or a bare JSON-LD graph; nothing stored',
      security: [{ token: [] }],
      querystring: ValidateQuery,
      response: { 200: ValidateReply, ...errors(400, 401) }
    }
  }, async (request) => {
    const body = request.body
    const at = one(request.query.at, 'at')
    if (at != null && !isRfc3339(at)) throw new InvalidQueryError(`at takes an RFC 3339 date-time (such as 2025-03-07T00:00:00Z), not "${at}"`)
    const now = at == null ? undefined : Date.parse(at)
    if (body == null || body === '') throw new InvalidRequestError('send a credential: a compact JWS, a presentation, or JSON-LD')
    const submission = typeof body === 'string' ? readSubmission(body) : readJsonSubmission(body)
    return validateSubmission(submission, { resolver: node.resolver, status: node.status, now })
  })
}
