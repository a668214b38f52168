/**
 * SPARQL (read-only) and shape validation on demand: the official 2511 SHACL shapes (and the
 * development vocabulary's checks), and the signature when a JWS is sent. Nothing is stored.
 */
import {
  checkCredential, decodeJws, checkShapes, expandTerm, readContexts, validateGaiaxShapes, verifySignature
} from '../../../protocols/self-description/index.ts'
import { MAX_CREDENTIAL_BYTES } from '../../../protocols/constants.ts'
import { InvalidQueryError, InvalidRequestError } from '../../errors.ts'
import type { ApiContext } from '../server.ts'

export function registerQueryRoutes ({ app, node }: ApiContext): void {
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

  app.post('/v1/validate', async (request) => {
    const body = request.body
    let credential: Record<string, any>
    let signature: { valid: boolean, error?: { name: string, message: string } } | undefined
    if (typeof body === 'string' && !body.trim().startsWith('{')) {
      const decoded = decodeJws(body, MAX_CREDENTIAL_BYTES, 'the credential')
      credential = decoded.payload
      try {
        checkCredential(decoded, Date.now())
        await verifySignature(decoded, node.resolver)
        signature = { valid: true }
      } catch (err: any) {
        signature = { valid: false, error: { name: err.name, message: err.message } }
      }
    } else {
      credential = typeof body === 'string' ? parseJson(body) : body as Record<string, any>
    }
    if (credential == null || typeof credential !== 'object' || Array.isArray(credential)) throw new InvalidRequestError('send a credential: a compact JWS, or its JSON-LD payload')
    const terms = readContexts(credential['@context'])
    const subjects = ([] as any[]).concat(credential.credentialSubject ?? [])
    const violations = [
      ...await validateGaiaxShapes(credential),
      ...subjects.flatMap(subject => {
        const types = ([] as unknown[]).concat(subject?.type ?? subject?.['@type'] ?? []).filter((t): t is string => typeof t === 'string')
        return checkShapes(subject ?? {}, types.map(t => expandTerm(t, terms)), terms)
      })
    ]
    return { conforms: violations.length === 0, violations, ...(signature != null ? { signature } : {}) }
  })
}

function parseJson (text: string): Record<string, any> {
  try {
    return JSON.parse(text)
  } catch {
    throw new InvalidRequestError('the body is neither a compact JWS nor JSON')
  }
}
