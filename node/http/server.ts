/**
 * The HTTP API of a node (fastify), as docs/http-api.md describes it. Loopback by default; beyond
 * loopback every write needs the node's token.
 */
import { timingSafeEqual } from 'node:crypto'
import swagger from '@fastify/swagger'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { CLIENT_REQUESTS, CLIENT_WINDOW_MS, HTTP_CLIENT_CONNECTIONS, HTTP_HEADERS_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS, HTTP_MAX_CONNECTIONS, HTTP_MAX_UNSENT_BYTES, HTTP_REQUEST_TIMEOUT_MS, HTTP_ANSWER_STALL_MS, HTTP_UNANSWERED_PER_CONNECTION, MAX_COSTLY_IN_FLIGHT, MAX_HTTP_BODY_BYTES } from '../constants.ts'
import { UnauthorizedError } from '../errors.ts'
import { InvalidEnvelopeError, readSubmission, unsignedError } from '../../protocols/self-description/index.ts'
import { handleError } from './errors.ts'
import { registerOriginGuard } from './origin-guard.ts'
import { registerAdmission } from './admission.ts'
import { registerClientLimit, type ClientLimit } from './client-limit.ts'
import { policyOf } from './route-policy.ts'
import { JWS_TYPES } from './jws-types.ts'
import { registerJsonBody } from './json-body.ts'
import { NAMED_SCHEMAS } from './schemas.ts'
import { createLimitedServer, isLoopback, type ConnectionLimit } from './connection-limit.ts'
import { registerNodeInfoRoutes } from './routes/node-info.ts'
import { registerUiRoutes } from './routes/ui.ts'
import { registerQueryRoutes } from './routes/queries.ts'
import { registerSelfDescriptionRoutes } from './routes/self-descriptions.ts'
import type { ApiContext, NetworkView, PublishReply } from './api-context.ts'
import type { CatalogueNode, VersionView } from '../catalogue-node.ts'
import type { Logger as PinoLogger } from 'pino'
import type { SyncStats } from '../../protocols/sync/index.ts'
import pkg from '../../package.json' with { type: 'json' }

export type { NetworkView, PublishReply } from './api-context.ts'

export interface HttpApiInit {
  node: CatalogueNode
  network?: NetworkView
  findEntry?: (issuer: string, subject: string) => Promise<VersionView>
  syncWith?: (peer?: string) => Promise<SyncStats & { peer: string }>
  /** the write token; required when `host` is not loopback */
  token?: string
  /** whether writes need the token (true when listening beyond loopback) */
  requireToken?: boolean
  /** a pino logger; default: none */
  logger?: PinoLogger | false
  /** log every request (at info); errors are logged whatever this says. @default false */
  accessLog?: boolean
  /** how to publish a body (VP support plugs in here); default: node.publish */
  publish?: (body: string) => Promise<PublishReply>
  /** browser origins allowed to call the API (CORS); none by default */
  cors?: string[]
  /** Host names served besides loopback names (see origin-guard.ts) */
  allowedHosts?: string[]
  /** the API listens on loopback only */
  loopbackOnly?: boolean
  /** per-client limit on costly routes; default: CLIENT_REQUESTS per CLIENT_WINDOW_MS beyond loopback, none on loopback */
  clientLimit?: ClientLimit | false
  /** costly requests worked on at once, whoever sends them; past it 503 NodeBusyError. @default MAX_COSTLY_IN_FLIGHT */
  maxInFlight?: number
  /** longest a client may take to send a whole request; past it 408. @default HTTP_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
  /** connections held at once; default HTTP_MAX_CONNECTIONS, and beyond loopback HTTP_CLIENT_CONNECTIONS per client address */
  connectionLimit?: ConnectionLimit
  /** how long a connection's answers may wait unread before it is closed. @default HTTP_ANSWER_STALL_MS */
  answerStallMs?: number
  /** most bytes of answers waiting unread, all connections together. @default HTTP_MAX_UNSENT_BYTES */
  maxUnsentBytes?: number
}

export { isLoopback }

/**
 * Publishes whatever was submitted (readSubmission): a VC-JWT, a VP-JWT, either as a JSON-LD
 * envelope, or an unsigned JSON-LD presentation of enveloped credentials, each credential on
 * its own signature.
 */
export async function defaultPublish (node: CatalogueNode, body: string): Promise<PublishReply> {
  let submission
  try {
    submission = readSubmission(body)
  } catch (err: any) {
    node.refuse(err)
  }
  if (submission.kind === 'presentation') {
    const result = await node.publishPresentation(submission.jws)
    return { created: result.credentials.some(c => c.status === 'active'), body: { ...result } }
  }
  if (submission.kind === 'bundle') {
    const result = await node.publishEach(submission.items.map(item => 'jws' in item ? item.jws : new InvalidEnvelopeError('an unsigned credential in a presentation cannot be published: envelope it as a VC-JWT (EnvelopedVerifiableCredential)')))
    return { created: result.credentials.some(c => c.status === 'active'), body: { ...result } }
  }
  if (submission.kind === 'json-ld') {
    node.refuse(unsignedError())
  }
  const result = await node.publish(submission.jws)
  return { created: result.status === 'active', body: { ...result } }
}

export function createHttpApi (init: HttpApiInit): FastifyInstance {
  const token = init.token
  if (init.requireToken === true && (token == null || token === '')) throw new UnauthorizedError('an API listening beyond loopback needs a write token (gxcat init makes one)')
  const expected = Buffer.from(`Bearer ${token ?? ''}`)
  const showsToken = (authorization: string | undefined): boolean => {
    if (token == null || token === '' || authorization == null) return false
    const given = Buffer.from(authorization)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
  const loopbackOnly = init.loopbackOnly ?? init.requireToken !== true
  const connectionLimit = init.connectionLimit ?? { total: HTTP_MAX_CONNECTIONS, perClient: loopbackOnly ? undefined : HTTP_CLIENT_CONNECTIONS }
  const app = Fastify({
    bodyLimit: MAX_HTTP_BODY_BYTES,
    serverFactory: handler => createLimitedServer(handler, {
      ...connectionLimit,
      requestTimeoutMs: init.requestTimeoutMs ?? HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: HTTP_HEADERS_TIMEOUT_MS,
      unanswered: HTTP_UNANSWERED_PER_CONNECTION,
      keepAliveTimeoutMs: HTTP_KEEP_ALIVE_TIMEOUT_MS,
      answerStallMs: init.answerStallMs ?? HTTP_ANSWER_STALL_MS,
      maxUnsentBytes: init.maxUnsentBytes ?? HTTP_MAX_UNSENT_BYTES,
      trusted: request => showsToken(request.headers.authorization)
    }),
    loggerInstance: init.logger === false || init.logger == null ? undefined : init.logger as unknown as FastifyBaseLogger,
    // a log line per request costs a fifth of the throughput: only on request (--access-log)
    logController: new LogController({ disableRequestLogging: init.accessLog !== true }),
    return503OnClosing: true
  }) as unknown as FastifyInstance
  // the schemas check requests and describe answers (OpenAPI, the client's types); answers are
  // written as they are, not through a serializer that would drop what a schema does not list
  app.setSerializerCompiler(() => data => JSON.stringify(data))
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'gxcat node API', version: pkg.version, description: 'A peer-to-peer catalogue of Gaia-X self-descriptions: one node\'s HTTP API (docs/http-api.md). Writes need `Authorization: Bearer TOKEN` when the API listens beyond loopback.' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } }
    },
    // the named schemas keep their names (Item) in the document's components
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  app.addContentTypeParser(JWS_TYPES, { parseAs: 'string' }, (_request, body, done) => { done(null, body) })
  registerJsonBody(app)
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  app.setErrorHandler(handleError)
  registerOriginGuard(app, { cors: init.cors, allowedHosts: init.allowedHosts, loopbackOnly })
  const clientLimit = init.clientLimit ?? (loopbackOnly ? false : { requests: CLIENT_REQUESTS, windowMs: CLIENT_WINDOW_MS })
  if (clientLimit !== false) registerClientLimit(app, clientLimit)
  registerAdmission(app, init.maxInFlight ?? MAX_COSTLY_IN_FLIGHT)
  app.setNotFoundHandler(async (request, reply) => reply.status(404).send({ error: { name: 'NotFoundError', message: `no route ${request.method} ${request.url.split('?')[0]}` } }))

  // writes are judged from the headers alone, before the body is read: a stranger's body costs
  // nothing but its refusal, and its connection is closed rather than drained
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (init.requireToken !== true || policyOf(request).write !== true) return
    if (!showsToken(request.headers.authorization)) {
      if (request.headers['content-length'] !== '0' && (request.headers['content-length'] != null || request.headers['transfer-encoding'] != null)) void reply.header('connection', 'close')
      throw new UnauthorizedError('writes need Authorization: Bearer TOKEN (the token is in the node\'s config.json)')
    }
  })

  const context: ApiContext = {
    app,
    node: init.node,
    network: init.network,
    findEntry: init.findEntry,
    syncWith: init.syncWith,
    version: pkg.version,
    publish: init.publish ?? (async body => defaultPublish(init.node, body)),
    clientOf: request => showsToken(request.headers.authorization) ? 'operator' : request.ip
  }
  for (const schema of NAMED_SCHEMAS) app.addSchema(schema)
  // after swagger, which collects the routes as they are added
  void app.register(async api => {
    const routes = { ...context, app: api }
    registerSelfDescriptionRoutes(routes)
    registerQueryRoutes(routes)
    registerNodeInfoRoutes(routes)
    registerUiRoutes(routes)
  })
  return app
}
