/**
 * The OpenAPI 3.1 document of the HTTP API, served at /openapi.json.
 */

const error = { $ref: '#/components/responses/Error' }
const jwsBody = (description: string): Record<string, unknown> => ({
  required: true,
  description,
  content: Object.fromEntries(['application/vc+jwt', 'application/vc+ld+json+jwt', 'application/vc+ld+jwt', 'application/vp+jwt', 'application/vp+ld+json+jwt', 'application/vp+ld+jwt', 'application/ld+json', 'text/plain']
    .map(type => [type, { schema: { type: 'string', description: 'compact JWS' } }]))
})

export function openApiDocument (version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'gxcat node API', version, description: 'A peer-to-peer catalogue of Gaia-X self-descriptions: one node\'s HTTP API. Writes need `Authorization: Bearer TOKEN` when the API listens beyond loopback.' },
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Compliance: {
          type: ['object', 'null'],
          description: 'the Gaia-X compliance label that counts for this version now (from a trusted compliance issuer, valid, not revoked, the highest level), or null',
          properties: {
            label: { type: 'string', description: 'SC, L1, L2 or L3 (BL, as some compliance services write it, ranks with SC)' },
            issuer: { type: 'string', description: 'the compliance issuer DID' },
            labelCredential: { type: 'string', description: 'CID of the gx:LabelCredential' },
            rulesVersion: { type: 'string' },
            validUntil: { type: 'string', format: 'date-time', description: 'the label\'s' }
          }
        },
        Error: { type: 'object', properties: { error: { type: 'object', properties: { name: { type: 'string' }, message: { type: 'string' }, violations: { type: 'array' } }, required: ['name', 'message'] } } },
        Item: {
          type: 'object',
          properties: {
            cid: { type: 'string' },
            entry: { type: 'string' },
            issuer: { type: 'string' },
            subject: { type: 'string' },
            types: { type: 'array', items: { type: 'string' } },
            validFrom: { type: 'string', format: 'date-time' },
            validUntil: { type: 'string', format: 'date-time' },
            status: { enum: ['active', 'superseded', 'revoked', 'expired', 'suspended'] },
            compliance: { $ref: '#/components/schemas/Compliance' },
            credential: { type: 'object' },
            jws: { type: 'string' }
          }
        }
      },
      responses: { Error: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } }
    },
    paths: {
      '/v1/self-descriptions': {
        post: {
          summary: 'publish a VC-JWT, a VP-JWT of credentials, or either as a JSON-LD envelope (EnvelopedVerifiableCredential/Presentation) or a JSON-LD presentation of enveloped credentials',
          security: [{ token: [] }],
          requestBody: jwsBody('a VC-JWT or VP-JWT'),
          responses: { 201: { description: 'stored: {cid, entry, status}' }, 200: { description: '{status: duplicate | stale}' }, 400: error, 401: error, 403: error, 409: error, 413: error }
        },
        get: {
          summary: 'list or filter the active entries',
          parameters: [
            { name: 'type', in: 'query', schema: { type: 'string' }, description: 'gx:Name (matches 2511 and development) or a full IRI' },
            { name: 'issuer', in: 'query', schema: { type: 'string' } },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: 'full text: every word must occur' },
            { name: 'where', in: 'query', schema: { type: 'array', items: { type: 'string' } }, description: 'PROPERTY=VALUE, repeatable' },
            { name: 'status', in: 'query', schema: { enum: ['active', 'all'] } },
            { name: 'compliant', in: 'query', schema: { type: 'boolean' }, description: 'only versions a trusted Gaia-X compliance label covers now' },
            { name: 'label', in: 'query', schema: { enum: ['SC', 'L1', 'L2', 'L3'] }, description: 'only versions compliant at this label level or higher' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } }
          ],
          responses: { 200: { description: '{items, next}', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Item' } }, next: { type: ['string', 'null'] } } } } } }, 400: error }
        }
      },
      '/v1/self-descriptions/{cid}': { get: { summary: 'one version, with its JWS and certificate chain (x5u)', parameters: [{ name: 'cid', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'the version' }, 404: error } } },
      '/v1/entries/{issuer}/{subject}': {
        get: {
          summary: 'the current version of an entry, with its certificate chain (x5u), the trust policy that admitted it (trust: {mode, anchor?, trustedIssuer?}), the versions kept (versions: [{cid, validFrom, status}], newest first) and its revocation',
          parameters: [
            { name: 'issuer', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'subject', in: 'path', required: true, schema: { type: 'string' }, description: 'credentialSubject.id, URL-encoded' },
            { name: 'network', in: 'query', schema: { type: 'boolean' }, description: 'also ask the DHT when the replica lacks it' }
          ],
          responses: { 200: { description: 'the current version' }, 404: error }
        }
      },
      '/v1/validate': {
        post: {
          security: [{ token: [] }],
          summary: 'the report on a credential (VC-JWT), a presentation (VP-JWT, JSON-LD envelope or presentation: one report per credential), a JSON-LD credential or a bare JSON-LD graph; nothing stored',
          parameters: [{ name: 'at', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'judge validity, certificate and status dates as of this time' }],
          responses: { 200: { description: '{conforms, violations: [{focusNode, path, message, constraint, value, shape}], signature: {valid, error?}, credentials?} from the official Gaia-X 2511 and 25.11 development SHACL shapes' }, 400: error }
        }
      },
      '/v1/sparql': {
        post: { summary: 'SPARQL 1.1 query (read-only)', requestBody: { content: { 'application/sparql-query': { schema: { type: 'string' } } } }, responses: { 200: { description: 'SPARQL JSON results (or N-Triples for CONSTRUCT/DESCRIBE)' }, 400: error } },
        get: { summary: 'SPARQL 1.1 query (read-only)', parameters: [{ name: 'query', in: 'query', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'results' }, 400: error } }
      },
      '/v1/revocations': { post: { summary: 'publish a signed revocation', security: [{ token: [] }], requestBody: jwsBody('a revocation JWS'), responses: { 201: { description: 'revoked' }, 200: { description: 'already revoked' }, 400: error, 401: error } } },
      '/v1/facets': { get: { summary: 'current entries counted by compliance label level, type, issuer and keyword (gx:keyword), the most frequent first: {entries, labels, types, issuers, keywords: [{value, count}]}', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } }], responses: { 200: { description: 'facets' }, 400: error } } },
      '/v1/status': { get: { summary: '{peerId, addrs, entries, revoked, versions, peers, ready (the official shapes are parsed: what arrives is judged at once), trust ({mode, anchors, trustedIssuers, revokedIssuers, complianceIssuers, lists: [{kind, source, format, name?, count, importedAt}]}: what is in force), sparql ({state: ready | off} or {state: rebuilding, loaded, total}: SPARQL answers 503 until the index holds every entry), version}', responses: { 200: { description: 'status' } } } },
      '/v1/sync': { post: { summary: 'anti-entropy now with one peer ({"peer": ID or multiaddr}) or a random connected one; answers the session\'s figures', security: [{ token: [] }], responses: { 200: { description: '{peer, rounds, bytesSent, bytesReceived, fetched, pushed, invalid, durationMs}' }, 400: error, 404: error } } },
      '/v1/history': { get: { summary: 'the node\'s counts over the last day, a sample a minute since it started: {intervalMs, points: [{at, entries, revoked, peers}]}, the last taken now', responses: { 200: { description: 'samples, oldest first' } } } },
      '/v1/peers': { get: { summary: 'connected peers', responses: { 200: { description: '{peers: [{peerId, addrs}]}' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } } },
      '/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } }
    }
  }
}
