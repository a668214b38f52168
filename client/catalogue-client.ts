/**
 * A typed client of a gxcat node's HTTP API, for apps: one method per route, typed answers,
 * the node's errors as NodeError with the node's name for them, cursors as async iterators,
 * an AbortSignal on every call. Nothing but `fetch`.
 */
import { NodeError, NodeUnreachableError } from './errors.ts'
import type {
  Entry, FacetFilter, Facets, Item, ListFilter, ListPage, NodeStatus, Peer, PresentationResult, PublishResult, RevokeResult,
  SparqlJsonResults, StatusHistory, SyncReport, ValidationReport, Version
} from './types.ts'

export interface CatalogueClientInit {
  /** the node's HTTP API, e.g. http://127.0.0.1:7420 */
  url: string
  /** the node's write token (publish, revoke, validate and sync beyond loopback) */
  token?: string
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

export interface CallOptions {
  signal?: AbortSignal
}

export interface SparqlOptions extends CallOptions {
  /** send the query in the URL (GET: cacheable, for queries of a few KB) instead of the body (POST) */
  get?: boolean
}

/** Media types a credential or presentation may be sent as; the node reads any of them the same way. */
export type SubmissionType = 'application/vc+jwt' | 'application/vp+jwt' | 'application/ld+json' | 'text/plain'

export interface CatalogueClient {
  /** publishes a VC-JWT (or a VP-JWT, or either as a JSON-LD envelope) */
  publish (submission: string, options?: CallOptions & { type?: SubmissionType }): Promise<PublishResult | PresentationResult>
  /** one page of the entries matching a filter */
  list (filter?: ListFilter, options?: CallOptions): Promise<ListPage>
  /** every entry matching a filter, page after page */
  listAll (filter?: Omit<ListFilter, 'cursor'>, options?: CallOptions): AsyncGenerator<Item>
  /** one version by CID, with its JWS */
  getVersion (cid: string, options?: CallOptions): Promise<Version>
  /** the current version of an entry; `network` asks the DHT when the node's replica lacks it */
  getEntry (issuer: string, subject: string, options?: CallOptions & { network?: boolean }): Promise<Entry>
  /** publishes a signed revocation */
  revoke (jws: string, options?: CallOptions): Promise<RevokeResult>
  /** the report on a credential, presentation or JSON-LD graph; nothing is stored */
  validate (submission: string | Record<string, unknown>, options?: CallOptions & { at?: string }): Promise<ValidationReport>
  /** a read-only SPARQL query: JSON results for SELECT and ASK */
  sparql (query: string, options?: SparqlOptions): Promise<SparqlJsonResults>
  /** a read-only SPARQL query answered as text in the format asked for (text/csv, text/turtle, SPARQL JSON…) */
  sparqlText (query: string, accept: string, options?: SparqlOptions): Promise<string>
  /** entries counted by type, issuer and keyword */
  /** counts within the listing's filters, where given (`warning` says when the type names nothing known) */
  facets (options?: CallOptions & FacetFilter & { limit?: number }): Promise<Facets>
  status (options?: CallOptions): Promise<NodeStatus>
  peers (options?: CallOptions): Promise<Peer[]>
  /** the node's counts over the last day (a sample a minute since it started), oldest first */
  history (options?: CallOptions): Promise<StatusHistory>
  /** anti-entropy now with one peer (an id or multiaddr) or a random connected one */
  sync (options?: CallOptions & { peer?: string }): Promise<SyncReport>
  /** Prometheus metrics, as text */
  metrics (options?: CallOptions): Promise<string>
  /** the node's OpenAPI document */
  openApi (options?: CallOptions): Promise<Record<string, unknown>>
}

/** Every route the client calls, as `METHOD /path` with `{name}` for path parameters (the OpenAPI spelling). */
export const CLIENT_ROUTES = [
  'POST /v1/self-descriptions', 'GET /v1/self-descriptions', 'GET /v1/self-descriptions/{cid}', 'GET /v1/entries/{issuer}/{subject}',
  'POST /v1/revocations', 'POST /v1/validate', 'POST /v1/sparql', 'GET /v1/sparql', 'GET /v1/facets', 'GET /v1/status',
  'GET /v1/peers', 'GET /v1/history', 'POST /v1/sync', 'GET /metrics', 'GET /openapi.json'
] as const

interface Request {
  method: 'GET' | 'POST'
  path: string
  query?: URLSearchParams
  body?: string
  type?: string
  accept?: string
  signal?: AbortSignal
}

function listQuery (filter: ListFilter): URLSearchParams {
  const query = new URLSearchParams()
  for (const name of ['type', 'issuer', 'q', 'status', 'label', 'cursor'] as const) {
    const value = filter[name]
    if (value != null) query.set(name, value)
  }
  for (const [property, value] of filter.where ?? []) query.append('where', `${property}=${value}`)
  if (filter.limit != null) query.set('limit', String(filter.limit))
  if (filter.compliant != null) query.set('compliant', String(filter.compliant))
  return query
}

export function createCatalogueClient (init: CatalogueClientInit): CatalogueClient {
  const base = init.url.replace(/\/+$/, '')
  const fetchImpl = init.fetch ?? globalThis.fetch

  async function send (request: Request): Promise<Response> {
    const headers: Record<string, string> = { accept: request.accept ?? 'application/json' }
    if (request.body != null) headers['content-type'] = request.type ?? 'text/plain'
    if (init.token != null && init.token !== '') headers.authorization = `Bearer ${init.token}`
    const query = request.query != null && [...request.query].length > 0 ? `?${request.query.toString()}` : ''
    let response: Response
    try {
      response = await fetchImpl(base + request.path + query, { method: request.method, headers, body: request.body, signal: request.signal })
    } catch (err: any) {
      if (request.signal?.aborted === true) throw request.signal.reason ?? err
      throw new NodeUnreachableError(`cannot reach the node at ${base}: ${err.cause?.code ?? err.cause?.message ?? err.message}`)
    }
    if (response.status >= 400) {
      const text = await response.text()
      let error: { name?: string, message?: string, violations?: unknown[] } | undefined
      try {
        error = JSON.parse(text)?.error
      } catch {}
      const retryAfter = response.headers.get('retry-after')
      throw new NodeError(error?.name ?? `HTTP${response.status}`, error?.message ?? text.slice(0, 200), response.status, {
        violations: error?.violations,
        retryAfter: retryAfter != null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined
      })
    }
    return response
  }

  const json = async <T>(request: Request): Promise<T> => await (await send(request)).json() as T
  const text = async (request: Request): Promise<string> => await (await send(request)).text()
  const segment = encodeURIComponent

  return {
    async publish (submission, options = {}) {
      return json({ method: 'POST', path: '/v1/self-descriptions', body: submission, type: options.type ?? 'application/vc+jwt', signal: options.signal })
    },
    async list (filter = {}, options = {}) {
      return json({ method: 'GET', path: '/v1/self-descriptions', query: listQuery(filter), signal: options.signal })
    },
    async * listAll (filter = {}, options = {}) {
      let cursor: string | undefined
      do {
        const page: ListPage = await this.list({ ...filter, cursor }, options)
        yield * page.items
        cursor = page.next ?? undefined
      } while (cursor != null)
    },
    async getVersion (cid, options = {}) {
      return json({ method: 'GET', path: `/v1/self-descriptions/${segment(cid)}`, signal: options.signal })
    },
    async getEntry (issuer, subject, options = {}) {
      const query = options.network === true ? new URLSearchParams({ network: 'true' }) : undefined
      return json({ method: 'GET', path: `/v1/entries/${segment(issuer)}/${segment(subject)}`, query, signal: options.signal })
    },
    async revoke (jws, options = {}) {
      return json({ method: 'POST', path: '/v1/revocations', body: jws, type: 'text/plain', signal: options.signal })
    },
    async validate (submission, options = {}) {
      const isText = typeof submission === 'string'
      return json({
        method: 'POST',
        path: '/v1/validate',
        query: options.at != null ? new URLSearchParams({ at: options.at }) : undefined,
        body: isText ? submission : JSON.stringify(submission),
        type: isText ? 'text/plain' : 'application/ld+json',
        signal: options.signal
      })
    },
    async sparql (query, options = {}) {
      return JSON.parse(await this.sparqlText(query, 'application/sparql-results+json', options))
    },
    async sparqlText (query, accept, options = {}) {
      return text(options.get === true
        ? { method: 'GET', path: '/v1/sparql', query: new URLSearchParams({ query }), accept, signal: options.signal }
        : { method: 'POST', path: '/v1/sparql', body: query, type: 'application/sparql-query', accept, signal: options.signal })
    },
    async facets (options = {}) {
      const { signal, ...filter } = options
      return json({ method: 'GET', path: '/v1/facets', query: listQuery(filter), signal })
    },
    async status (options = {}) {
      return json({ method: 'GET', path: '/v1/status', signal: options.signal })
    },
    async peers (options = {}) {
      return (await json<{ peers: Peer[] }>({ method: 'GET', path: '/v1/peers', signal: options.signal })).peers
    },
    async history (options = {}) {
      return json({ method: 'GET', path: '/v1/history', signal: options.signal })
    },
    async sync (options = {}) {
      return json({ method: 'POST', path: '/v1/sync', body: JSON.stringify(options.peer != null ? { peer: options.peer } : {}), type: 'application/json', signal: options.signal })
    },
    async metrics (options = {}) {
      return text({ method: 'GET', path: '/metrics', accept: 'text/plain', signal: options.signal })
    },
    async openApi (options = {}) {
      return json({ method: 'GET', path: '/openapi.json', signal: options.signal })
    }
  }
}
