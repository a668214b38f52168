/**
 * The SPARQL index in an external triple store (`--sparql-store`), for catalogues beyond one
 * machine's memory: each active version's graph is a named graph of the store, replaced in one
 * update on acceptance and dropped on supersede, revoke, expiry or prune. The node keeps no
 * index of its own and sends `/v1/sparql` queries to the store, within the same budgets as the
 * embedded engines (sparql-shares.ts).
 *
 * How far the store is, is read from the store itself: at each start (and after an outage long
 * enough that the node let go of the changes it kept) the node lists the store's graph names and
 * puts what is missing and drops what is no longer active. A record kept by the node would be
 * wrong after the store is restored from a backup; the store's own names cannot be.
 */
import sparqljs from 'sparqljs'
import {
  SPARQL_BUDGET, SPARQL_MAX_QUEUED, SPARQL_MAX_RESULT_BYTES, SPARQL_STORE_BATCH, SPARQL_STORE_UPDATE_GRAPHS, SPARQL_STORE_WRITERS, SPARQL_STORE_CLIENT_QUERIES, SPARQL_STORE_GRAPH_PAGE,
  SPARQL_STORE_MAX_PENDING, SPARQL_STORE_QUERIES, SPARQL_STORE_RETRY_MS, SPARQL_TIMEOUT_MS, MAX_SPARQL_BYTES
} from '../constants.ts'
import { InvalidQueryError, NodeBusyError, QueryTimeoutError, ReadOnlyQueryError, SparqlUnavailableError } from '../errors.ts'
import { oneRebuildAtATime } from './rdf-rebuild.ts'
import { graphName, versionTriples, type RdfVersion, type SparqlResult } from './rdf-store.ts'
import { createSparqlEndpoint, type SparqlEndpoint, type SparqlEndpointInit } from './sparql-endpoint.ts'
import { createSparqlShares } from './sparql-shares.ts'
import { withPredefinedPrefixes } from './sparql-text.ts'
import type { RdfIndex, RdfIndexComponents, RdfIndexInit } from './rdf-index.ts'

/** the names of the graphs this node writes to a store: others in it are not the catalogue's */
const GRAPH_PREFIX = 'urn:gxcat:'
const LOCAL_CLIENT = 'local'

export interface ExternalIndexInit extends Pick<RdfIndexInit, 'queryTimeoutMs' | 'maxQueued' | 'maxResultBytes' | 'source' | 'budget'>, SparqlEndpointInit {
  /** the active entries of the replica: a store found holding most of them answers while it is compared with the replica */
  expected?: () => number
}

export interface ExternalIndex extends RdfIndex {
  /** changes not yet in the store, whether it answered the last request, and whether it is being compared with the replica */
  readonly storeState: { url: string, pending: number, reachable: boolean, comparing: boolean }
}

interface Query {
  /** the query as the store gets it, and its form */
  text: string
  form: string
  accept?: string
  client: string
  resolve: (result: SparqlResult) => void
  reject: (err: Error) => void
}

/** what a query asks for, read by a SPARQL 1.1 parser: a store must never see an update, a SERVICE call or its own extensions from a stranger */
function checkedQuery (sparql: string): { text: string, form: string } {
  if (sparql.length > MAX_SPARQL_BYTES) throw new InvalidQueryError(`the query is longer than ${MAX_SPARQL_BYTES} bytes`)
  const text = withPredefinedPrefixes(sparql)
  let parsed: any
  try {
    parsed = new sparqljs.Parser().parse(text)
  } catch (err: any) {
    const at = err.hash?.loc
    if (at == null) throw new InvalidQueryError(`SPARQL syntax error: ${String(err.message ?? err).split('\n')[0]}`)
    const expected: string[] = (err.hash.expected ?? []).map((e: string) => e.replace(/^'|'$/g, ''))
    // line 1 of what the parser read is the predefined prologue
    throw new InvalidQueryError(`SPARQL syntax error at line ${at.first_line - 1}, column ${at.first_column + 1}: unexpected ${err.hash.token === 'EOF' ? 'end of the query' : JSON.stringify(err.hash.text)}` +
      (expected.length > 0 && expected.length <= 6 ? `; expected one of ${expected.join(', ')}` : ''))
  }
  if (parsed.type === 'update') throw new ReadOnlyQueryError('the SPARQL endpoint is read-only: updates are refused (publish or revoke self-descriptions instead)')
  if (JSON.stringify(parsed).includes('"type":"service"')) throw new InvalidQueryError('SERVICE (federated query) is not allowed on this node')
  return { text, form: String(parsed.queryType) }
}

/** SPARQL 1.1 JSON results as the standard writes them: Virtuoso writes `typed-literal`, `1` for true, `nodeID://` blank nodes and ASK answers as rows */
function standardJson (body: string): string {
  if (!body.includes('typed-literal') && !body.includes('nodeID://') && !body.includes('__ASK_RETVAL')) return body
  const results = JSON.parse(body)
  // Virtuoso answers ASK in JSON as a SELECT of one variable, with no row for false
  if (results.head?.vars?.[0] === '__ASK_RETVAL') return JSON.stringify({ head: {}, boolean: results.results.bindings[0]?.__ASK_RETVAL?.value === '1' })
  for (const binding of results.results?.bindings ?? []) {
    for (const term of Object.values<any>(binding)) {
      if (term.type === 'typed-literal') term.type = 'literal'
      if (term.type === 'bnode' && typeof term.value === 'string' && term.value.startsWith('nodeID://')) term.value = term.value.slice('nodeID://'.length)
      if (term.datatype === 'http://www.w3.org/2001/XMLSchema#boolean' && (term.value === '1' || term.value === '0')) term.value = term.value === '1' ? 'true' : 'false'
    }
  }
  return JSON.stringify(results)
}

function acceptFor (form: string, accept = 'application/sparql-results+json'): string {
  if (form === 'CONSTRUCT' || form === 'DESCRIBE') return accept.includes('text/turtle') ? 'text/turtle' : 'application/n-triples'
  if (accept.includes('sparql-results+xml')) return 'application/sparql-results+xml'
  if (accept.includes('text/csv')) return 'text/csv'
  return 'application/sparql-results+json'
}

export function createExternalIndex (components: RdfIndexComponents, init: ExternalIndexInit): ExternalIndex {
  const log = components.logger.forComponent('gxcat:sparql-store')
  const endpoint: SparqlEndpoint = createSparqlEndpoint(init)
  const timeoutMs = init.queryTimeoutMs ?? SPARQL_TIMEOUT_MS
  const maxQueued = init.maxQueued ?? SPARQL_MAX_QUEUED
  const maxResultBytes = init.maxResultBytes ?? SPARQL_MAX_RESULT_BYTES
  const shares = createSparqlShares<Query>(init.budget ?? SPARQL_BUDGET)
  const running = new Map<string, number>()
  let inFlight = 0
  let closed = false
  const stopping = new AbortController()

  /** graphs to write (a version) or drop (null), the last change of each; written in insertion order */
  const pending = new Map<string, RdfVersion | null>()
  /** graphs changed while a comparison with the store runs: it leaves them as they are */
  let touched: Set<string> | undefined
  let writing: Promise<void> | undefined
  let retryMs = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let reachable = true
  /** the node let go of changes while the store did not answer: it compares its whole replica with the store when it answers again */
  let forgotten = false
  const waiters = new Set<() => void>()
  /** Virtuoso's own graphs (its schemas, its DAV): kept out of the default graph, which is otherwise the union of all */
  let foreignGraphs: string[] = []
  /**
   * whether queries go to the store while it is compared with the replica: a store that holds
   * most of the catalogue already (a restart) answers meanwhile, as it answers while changes wait
   * to be written; one found short of it (a new store) waits until it is loaded
   */
  let serving = true

  const settle = (): void => {
    if (pending.size > 0 || writing != null) return
    for (const waiter of waiters) waiter()
    waiters.clear()
  }

  const triplesOf = (version: RdfVersion): string => {
    try {
      return versionTriples(version)
    } catch (err: any) {
      log.error('credential %s cannot be read as RDF: %s', version.cid, err.message)
      return ''
    }
  }

  /**
   * One batch of changes: the graphs dropped in one update, those put one PUT each, a few at a
   * time (through the Graph Store protocol where the store has one; else updates of a few graphs,
   * each dropped and inserted from a template, since stores refuse blank nodes in INSERT DATA).
   * Every change replaces or removes a whole graph: a batch tried again does no harm.
   */
  const writeBatch = async (batch: Array<[string, RdfVersion | null]>): Promise<void> => {
    const drops: string[] = []
    const puts: Array<[string, string]> = []
    for (const [graph, version] of batch) {
      const triples = version == null ? '' : triplesOf(version)
      if (triples === '') drops.push(graph)
      else puts.push([graph, triples])
    }
    const options = { signal: stopping.signal }
    if (drops.length > 0) await endpoint.update(drops.map(g => `DROP SILENT GRAPH <${g}>`).join(' ;\n'), options)
    if (endpoint.graphStore != null) {
      let next = 0
      await Promise.all(Array.from({ length: SPARQL_STORE_WRITERS }, async () => {
        while (next < puts.length) {
          const [graph, triples] = puts[next++]
          await endpoint.put(graph, triples, options)
        }
      }))
      return
    }
    for (let i = 0; i < puts.length; i += SPARQL_STORE_UPDATE_GRAPHS) {
      await endpoint.update(puts.slice(i, i + SPARQL_STORE_UPDATE_GRAPHS).map(([g, triples]) => `DROP SILENT GRAPH <${g}> ;\nINSERT { GRAPH <${g}> {\n${triples}} } WHERE {}`).join(' ;\n'), options)
    }
  }

  /** writes what is pending, one update of at most SPARQL_STORE_BATCH_BYTES at a time; on failure tries again later, doubling the wait */
  const write = (): void => {
    if (writing != null || closed || pending.size === 0 || retryTimer != null) return
    writing = (async () => {
      while (pending.size > 0 && !closed) {
        const batch: Array<[string, RdfVersion | null]> = []
        for (const change of pending) {
          batch.push(change)
          if (batch.length === SPARQL_STORE_BATCH) break
        }
        try {
          await writeBatch(batch)
        } catch (err: any) {
          if (closed) return
          reachable = false
          retryMs = Math.min(SPARQL_STORE_RETRY_MS.most, retryMs === 0 ? SPARQL_STORE_RETRY_MS.first : retryMs * 2)
          log.error('the SPARQL store did not take %d changes (%s); trying again in %d ms', batch.length, err.message, retryMs)
          if (pending.size > SPARQL_STORE_MAX_PENDING) {
            log.error('%d changes wait for the SPARQL store: they are let go, and the replica is compared with the store once it answers', pending.size)
            pending.clear()
            forgotten = true
          }
          retryTimer = setTimeout(() => {
            retryTimer = undefined
            if (forgotten) void reconcile().catch(() => {})
            else write()
          }, retryMs)
          retryTimer.unref()
          return
        }
        reachable = true
        retryMs = 0
        // a graph changed again meanwhile keeps its newer change
        for (const [graph, version] of batch) if (pending.get(graph) === version) pending.delete(graph)
      }
    })().finally(() => {
      writing = undefined
      if (retryTimer == null) write()
      settle()
    })
  }

  const change = (graph: string, version: RdfVersion | null): void => {
    touched?.add(graph)
    // a graph changed again goes to the back: the order of changes to it is kept
    pending.delete(graph)
    pending.set(graph, version)
    write()
  }

  const idle = async (): Promise<void> => {
    if (closed) return
    await new Promise<void>(resolve => { waiters.add(resolve); settle() })
  }

  /** the store's graph names, a page at a time */
  const storeGraphs = async (options: { signal?: AbortSignal }): Promise<string[]> => {
    const graphs: string[] = []
    let after = ''
    for (;;) {
      options.signal?.throwIfAborted()
      const answer = await endpoint.query(`SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STR(?g) > ${JSON.stringify(after)}) } ORDER BY ?g LIMIT ${SPARQL_STORE_GRAPH_PAGE}`, { signal: options.signal })
      const page: string[] = JSON.parse(answer.body).results.bindings.map((b: any) => b.g.value)
      if (page.length === 0) return graphs
      graphs.push(...page)
      after = page[page.length - 1]
    }
  }

  const rebuilds = oneRebuildAtATime(async (removed, options) => {
    touched = new Set()
    try {
      const inStore = new Set<string>()
      for (const graph of await storeGraphs(options)) {
        if (graph.startsWith(GRAPH_PREFIX)) inStore.add(graph)
        else foreignGraphs.push(graph)
      }
      foreignGraphs = [...new Set(foreignGraphs)]
      serving = inStore.size >= 0.9 * (init.expected?.() ?? 0)
      reachable = true
      forgotten = false
      if (foreignGraphs.length > 0 && !endpoint.virtuoso) log('the SPARQL store holds %d graphs the node did not write; queries see them too', foreignGraphs.length)
      const seen = new Set<string>()
      let read = 0
      for await (const batch of init.source?.(options) ?? []) {
        for (const version of batch) {
          if (removed.has(version.cid)) continue
          const graph = graphName(version.cid)
          seen.add(graph)
          // a version's graph never changes (it is named by its CID); a compliance link graph may have
          if ((!inStore.has(graph) || !graph.startsWith(`${GRAPH_PREFIX}version:`)) && !touched.has(graph)) change(graph, version)
        }
        read += batch.length
        options.onProgress?.(read)
        // a few updates ahead, no more: what waits is memory
        while (pending.size > 4 * 1000 && !closed) await new Promise(resolve => setTimeout(resolve, 10))
      }
      for (const graph of inStore) if (!seen.has(graph) && !touched.has(graph)) change(graph, null)
      await idle()
      return read
    } finally {
      touched = undefined
    }
  })

  const COMPARING = 'the SPARQL store is being compared with the replica'
  /** compares the store with the replica; where that fails, again later until it succeeds */
  const reconcile = async (options: { signal?: AbortSignal, onProgress?: (loaded: number) => void } = {}): Promise<number> => {
    try {
      return await rebuilds.start({ ...options, signal: options.signal == null ? stopping.signal : AbortSignal.any([options.signal, stopping.signal]) }, COMPARING)
    } catch (err: any) {
      if (!closed && retryTimer == null) {
        retryMs = Math.min(SPARQL_STORE_RETRY_MS.most, retryMs === 0 ? SPARQL_STORE_RETRY_MS.first : retryMs * 2)
        reachable = false
        forgotten = true
        log.error('comparing the SPARQL store with the replica failed (%s); trying again in %d ms', err.message, retryMs)
        retryTimer = setTimeout(() => { retryTimer = undefined; void reconcile().catch(() => {}) }, retryMs)
        retryTimer.unref()
      }
      throw err
    }
  }

  const run = async (query: Query): Promise<void> => {
    const started = performance.now()
    const left = shares.remaining(query.client)
    const budgetMs = Math.max(1, Math.ceil(Math.min(timeoutMs, left)))
    // the store stops the query at its budget where it takes a timeout (Virtuoso: within a second
    // or so after it); the node stops waiting two seconds later in any case
    const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(budgetMs + 2000)])
    try {
      const pragmas = endpoint.virtuoso ? foreignGraphs.map(g => `define input:default-graph-exclude <${g}> define input:named-graph-exclude <${g}>\n`).join('') : ''
      const accept = acceptFor(query.form, query.accept)
      const answer = await endpoint.query(pragmas + query.text, { accept, timeoutMs: budgetMs, maxBytes: maxResultBytes, signal })
      query.resolve({ contentType: answer.contentType, body: answer.contentType === 'application/sparql-results+json' ? standardJson(answer.body) : answer.body })
    } catch (err: any) {
      if (signal.aborted && !stopping.signal.aborted) {
        query.reject(new QueryTimeoutError(budgetMs < timeoutMs
          ? `the query ran past what was left of this client's SPARQL time (${Math.round(budgetMs)} ms) and was stopped`
          : `the query ran longer than ${budgetMs} ms and was stopped`))
      } else query.reject(err)
    } finally {
      shares.charge(query.client, performance.now() - started)
    }
  }

  const pump = (): void => {
    while (inFlight < SPARQL_STORE_QUERIES) {
      const next = shares.next(client => (running.get(client) ?? 0) < SPARQL_STORE_CLIENT_QUERIES)
      if (next == null) return
      inFlight++
      running.set(next.client, (running.get(next.client) ?? 0) + 1)
      void run(next.job).catch(err => { next.job.reject(err) }).finally(() => {
        inFlight--
        const count = (running.get(next.client) ?? 1) - 1
        if (count === 0) running.delete(next.client)
        else running.set(next.client, count)
        pump()
      })
    }
  }

  return {
    add (version) { change(graphName(version.cid), version) },
    remove (cid) {
      rebuilds.removing(cid)
      change(graphName(cid), null)
    },
    idle,
    async caughtUp () {
      while (pending.size > 4 * 1000 && !closed) await new Promise(resolve => setTimeout(resolve, 10))
    },
    rebuild: reconcile,
    get rebuilding () { return serving ? undefined : rebuilds.progress },
    async query (sparql, accept, options = {}) {
      if (closed) throw new SparqlUnavailableError('the node is stopping')
      if (!reachable && forgotten) throw new SparqlUnavailableError(`the SPARQL store at ${endpoint.shownUrl} does not answer; filters still answer`, Math.ceil(Math.max(retryMs, 1000) / 1000))
      const client = options.client ?? LOCAL_CLIENT
      const { text, form } = checkedQuery(sparql)
      if (shares.waiting + inFlight >= maxQueued) throw new NodeBusyError(`${shares.waiting + inFlight} SPARQL queries are ahead of this one; filters still answer`)
      return await new Promise<SparqlResult>((resolve, reject) => {
        shares.enqueue(client, { text, form, accept, client, resolve, reject })
        pump()
      })
    },
    get storeState () {
      return { url: endpoint.shownUrl, pending: pending.size, reachable, comparing: rebuilds.progress != null }
    },
    async close () {
      closed = true
      stopping.abort()
      clearTimeout(retryTimer)
      for (let next = shares.next(); next != null; next = shares.next()) next.job.reject(new SparqlUnavailableError('the node is stopping'))
      await writing?.catch(() => {})
      await rebuilds.settled()
      for (const waiter of waiters) waiter()
      waiters.clear()
    }
  }
}
