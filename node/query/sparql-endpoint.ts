/**
 * A client of a SPARQL 1.1 store over its standard protocol: queries and updates as form POSTs
 * (Virtuoso leaves a direct `application/sparql-query` POST unanswered), Basic or Digest
 * authentication as the store asks (Virtuoso's /sparql-auth takes only Digest: digest-fetch),
 * and answers read no further than a cap. What Virtuoso says only in a header is made an error
 * here: a query past its `timeout=` comes back 200 with part of its answer and
 * `X-SQL-State: S1TAT`.
 */
import { DigestClient } from 'digest-fetch'
import { InvalidQueryError, QueryTimeoutError, QueryTooLargeError, SparqlUnavailableError } from '../errors.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface SparqlEndpointInit {
  /** the store's SPARQL endpoint, for queries and updates */
  url: string
  /**
   * its Graph Store HTTP Protocol endpoint, where a graph is replaced by one PUT (Virtuoso parses
   * that with its bulk loader: a few times faster than an update, which it compiles to SQL);
   * absent: Virtuoso's, beside a /sparql or /sparql-auth URL; false, or none found: graphs are
   * written by SPARQL Update
   */
  graphStore?: string | false
  user?: string
  password?: string
}

export interface EndpointQueryOptions extends AbortOptions {
  accept?: string
  /** the store stops the query after this long (where it takes a timeout: Virtuoso's `timeout`) */
  timeoutMs?: number
  /** largest answer read; past it the answer is dropped */
  maxBytes?: number
}

export interface EndpointAnswer {
  contentType: string
  body: string
}

export interface SparqlEndpoint {
  /** the endpoint without credentials, as it may be logged or shown */
  readonly shownUrl: string
  /** true once an answer came from OpenLink Virtuoso (by its Server header) */
  readonly virtuoso: boolean
  /** the Graph Store endpoint graphs are put to, if any */
  readonly graphStore: string | undefined
  query (sparql: string, options?: EndpointQueryOptions): Promise<EndpointAnswer>
  update (sparql: string, options?: AbortOptions): Promise<void>
  /** replaces a graph with these N-Triples (Graph Store HTTP Protocol PUT) */
  put (graph: string, nTriples: string, options?: AbortOptions): Promise<void>
}

/** first line of a store's error text, cut short: what a client is told of why the store refused */
function storeMessage (text: string): string {
  const line = text.split('\n').map(l => l.trim()).find(l => l.length > 0) ?? ''
  return line.length > 300 ? line.slice(0, 300) + '…' : line
}

export function createSparqlEndpoint (init: SparqlEndpointInit): SparqlEndpoint {
  const url = new URL(init.url)
  const user = init.user ?? (url.username !== '' ? decodeURIComponent(url.username) : undefined)
  const password = init.password ?? (url.password !== '' ? decodeURIComponent(url.password) : undefined)
  url.username = ''
  url.password = ''
  const target = url.toString()
  const graphStore = init.graphStore === false ? undefined : init.graphStore ?? (/\/sparql(-auth)?\/?$/.test(url.pathname) ? target.replace(/\/sparql(-auth)?\/?$/, '/sparql-graph-crud$1') : undefined)
  let virtuoso = false
  let scheme: 'basic' | 'digest' | undefined
  let digest: DigestClient | undefined

  /** a form POST, with the credentials in the scheme the store asked for at its first 401 */
  const post = async (form: URLSearchParams, accept: string, signal?: AbortSignal): Promise<Response> =>
    await send(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body: form.toString(), signal })

  const send = async (to: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> => {
    const signal = init.signal ?? undefined
    let response: Response
    try {
      if (user == null) response = await fetch(to, init)
      else if (scheme === 'digest') response = await (digest ??= new DigestClient(user, password ?? '')).fetch(to, { ...init, headers: { ...init.headers } })
      else {
        const basic = { ...init, headers: { ...init.headers, authorization: 'Basic ' + Buffer.from(`${user}:${password ?? ''}`).toString('base64') } }
        response = await fetch(to, scheme === 'basic' ? basic : init)
        if (response.status === 401 && scheme == null) {
          await response.body?.cancel()
          scheme = /^\s*digest/i.test(response.headers.get('www-authenticate') ?? '') ? 'digest' : 'basic'
          return await send(to, init)
        }
      }
    } catch (err: any) {
      if (signal?.aborted === true) throw err
      throw new SparqlUnavailableError(`the SPARQL store at ${target} does not answer (${err.cause?.code ?? err.message})`, 5)
    }
    if (/virtuoso/i.test(response.headers.get('server') ?? '')) virtuoso = true
    return response
  }

  /** the body as text, cancelled past maxBytes */
  const read = async (response: Response, maxBytes: number): Promise<string> => {
    const reader = response.body?.getReader()
    if (reader == null) return ''
    const chunks: Uint8Array[] = []
    let length = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      length += value.byteLength
      if (length > maxBytes) {
        await reader.cancel()
        throw new QueryTooLargeError(`the answer is larger than ${Math.round(maxBytes / 2 ** 20)} MiB and was not sent: ask for less (LIMIT, more specific patterns)`)
      }
      chunks.push(value)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  const refused = async (response: Response, what: string): Promise<Error> => {
    const text = storeMessage(await read(response, 64 * 1024).catch(() => ''))
    if (response.status === 401 || response.status === 403) return new SparqlUnavailableError(`the SPARQL store refused the node's ${what} (HTTP ${response.status}: check --sparql-store-user and --sparql-store-password, or the store's grants)`, 30)
    // Virtuoso's errors on a query it cannot compile or estimates too costly
    if (/S1T00|SR203|HY008|timed out|timeout|killed by SQLCancel/i.test(text)) return new QueryTimeoutError(`the SPARQL store stopped the query: ${text}`)
    if (response.status >= 400 && response.status < 500) return new InvalidQueryError(`the SPARQL store refused the ${what}: ${text}`)
    if (/SP0\d\d|syntax/i.test(text)) return new InvalidQueryError(`the SPARQL store refused the ${what}: ${text}`)
    return new SparqlUnavailableError(`the SPARQL store failed (HTTP ${response.status}): ${text}`, 5)
  }

  return {
    shownUrl: target,
    graphStore,
    get virtuoso () { return virtuoso },
    async put (graph, nTriples, options = {}) {
      if (graphStore == null) throw new TypeError('this store has no Graph Store endpoint')
      const response = await send(`${graphStore}?graph=${encodeURIComponent(graph)}`, { method: 'PUT', headers: { 'content-type': 'application/n-triples' }, body: nTriples, signal: options.signal })
      if (!response.ok) throw await refused(response, 'graph')
      await response.body?.cancel()
    },
    async query (sparql, options = {}) {
      const form = new URLSearchParams({ query: sparql })
      if (options.timeoutMs != null) form.set('timeout', String(Math.max(1, Math.round(options.timeoutMs))))
      const response = await post(form, options.accept ?? 'application/sparql-results+json', options.signal)
      if (!response.ok) throw await refused(response, 'query')
      const body = await read(response, options.maxBytes ?? Number.MAX_SAFE_INTEGER)
      // Virtuoso's "anytime" answer: what it found before the timeout, with 200
      if (response.headers.get('x-sql-state') === 'S1TAT') throw new QueryTimeoutError(`the query ran longer than ${options.timeoutMs ?? 0} ms on the SPARQL store and was stopped`)
      return { contentType: (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0].trim(), body }
    },
    async update (sparql, options = {}) {
      const response = await post(new URLSearchParams({ update: sparql }), '*/*', options.signal)
      if (!response.ok) throw await refused(response, 'update')
      await response.body?.cancel()
    }
  }
}
