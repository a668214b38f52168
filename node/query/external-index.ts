/**
 * The SPARQL index in an external triple store (`--sparql-store`), for catalogues beyond one
 * machine's memory: each active version's graph is a named graph of the store, put whole on
 * acceptance and dropped on supersede, revoke, expiry or prune. The node keeps no
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
  SPARQL_BUDGET, SPARQL_MAX_QUEUED, SPARQL_MAX_RESULT_BYTES, SPARQL_STORE_AHEAD, SPARQL_STORE_BATCH, SPARQL_STORE_UPDATE_GRAPHS, SPARQL_STORE_WRITERS, SPARQL_STORE_CLIENT_QUERIES,
  SPARQL_STORE_GRAPH_PAGE, SPARQL_STORE_MAX_PENDING, SPARQL_STORE_QUERIES, SPARQL_STORE_RETRY_MS, SPARQL_TIMEOUT_MS
} from '../constants.ts'
import { InvalidQueryError, NodeBusyError, SparqlUnavailableError } from '../errors.ts'
import { oneRebuildAtATime } from './rdf-rebuild.ts'
import { graphName, versionTriples, type RdfVersion, type SparqlResult } from './rdf-store.ts'
import { createSparqlEndpoint, type SparqlEndpoint, type SparqlEndpointInit } from './sparql-endpoint.ts'
import { createSparqlShares, LOCAL_CLIENT, stoppedAtLimit } from './sparql-shares.ts'
import { answerFormat, checkQueryLength, readOnlyError, withPredefinedPrefixes } from './sparql-text.ts'
import type { RdfIndex, RdfIndexComponents, RdfIndexInit, StoreState } from './rdf-index.ts'

/** the names of the graphs this node writes to a store: others in it are not the catalogue's */
const GRAPH_PREFIX = 'urn:gxcat:'

export interface ExternalIndexInit extends Pick<RdfIndexInit, 'queryTimeoutMs' | 'maxQueued' | 'maxResultBytes' | 'source' | 'budget'>, SparqlEndpointInit {
  /** the active entries of the replica: a store found holding most of them answers while it is compared with the replica */
  expected?: () => number
}

export interface ExternalIndex extends RdfIndex {
  readonly store: StoreState
}

interface Query {
  /** the query as the store gets it, and whether it asks for RDF (CONSTRUCT, DESCRIBE) */
  text: string
  graphForm: boolean
  accept?: string
  client: string
  resolve: (result: SparqlResult) => void
  reject: (err: Error) => void
}

/** what a query asks for, read by a SPARQL 1.1 parser: a store must never see an update, a SERVICE call or its own extensions from a stranger */
function checkedQuery (sparql: string): { text: string, graphForm: boolean } {
  checkQueryLength(sparql)
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
  if (parsed.type === 'update') throw readOnlyError()
  if (JSON.stringify(parsed).includes('"type":"service"')) throw new InvalidQueryError('SERVICE (federated query) is not allowed on this node')
  return { text, graphForm: parsed.queryType === 'CONSTRUCT' || parsed.queryType === 'DESCRIBE' }
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
  /** the graphs of the store the node did not write (Virtuoso's schemas, its DAV), as last listed: Virtuoso's are kept out of queries */
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

  /** the store did not answer: `then` runs again later, the wait doubling from the first up to the most */
  const retryLater = (what: string, err: Error, then: () => void): void => {
    reachable = false
    retryMs = Math.min(SPARQL_STORE_RETRY_MS.most, retryMs === 0 ? SPARQL_STORE_RETRY_MS.first : retryMs * 2)
    log.error('%s failed (%s); trying again in %d ms', what, err.message, retryMs)
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      then()
    }, retryMs)
    retryTimer.unref()
  }

  /** writes what is pending, SPARQL_STORE_BATCH changes at a time; on failure tries again later */
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
          if (pending.size > SPARQL_STORE_MAX_PENDING) {
            log.error('%d changes wait for the SPARQL store: they are let go, and the replica is compared with the store once it answers', pending.size)
            pending.clear()
            forgotten = true
          }
          retryLater(`writing ${batch.length} changes to the SPARQL store`, err, () => {
            if (forgotten) void reconcile().catch(() => {})
            else write()
          })
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

  /** resolves once at most SPARQL_STORE_AHEAD changes wait: what waits is memory */
  const caughtUp = async (): Promise<void> => {
    while (pending.size > SPARQL_STORE_AHEAD && !closed) await new Promise(resolve => setTimeout(resolve, 10))
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
      const graphs = await storeGraphs(options)
      const inStore = new Set(graphs.filter(g => g.startsWith(GRAPH_PREFIX)))
      foreignGraphs = graphs.filter(g => !g.startsWith(GRAPH_PREFIX))
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
        await caughtUp()
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
        forgotten = true
        retryLater('comparing the SPARQL store with the replica', err, () => { void reconcile().catch(() => {}) })
      }
      throw err
    }
  }

  const run = async (query: Query): Promise<void> => {
    const started = performance.now()
    const budgetMs = Math.ceil(shares.timeLimit(query.client, timeoutMs))
    // the store stops the query at its budget where it takes a timeout (Virtuoso: within a second
    // or so after it); the node stops waiting two seconds later in any case
    const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(budgetMs + 2000)])
    try {
      const pragmas = endpoint.virtuoso ? foreignGraphs.map(g => `define input:default-graph-exclude <${g}> define input:named-graph-exclude <${g}>\n`).join('') : ''
      const accept = answerFormat(query.graphForm, query.accept)
      const answer = await endpoint.query(pragmas + query.text, { accept, timeoutMs: budgetMs, maxBytes: maxResultBytes, signal })
      query.resolve({ contentType: answer.contentType, body: answer.contentType === 'application/sparql-results+json' ? standardJson(answer.body) : answer.body })
    } catch (err: any) {
      if (signal.aborted && !stopping.signal.aborted) {
        query.reject(stoppedAtLimit(budgetMs, timeoutMs))
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
    caughtUp,
    rebuild: reconcile,
    get rebuilding () { return serving ? undefined : rebuilds.progress },
    async query (sparql, accept, options = {}) {
      if (closed) throw new SparqlUnavailableError('the node is stopping')
      if (!reachable && forgotten) throw new SparqlUnavailableError(`the SPARQL store at ${endpoint.shownUrl} does not answer; filters still answer`, Math.ceil(Math.max(retryMs, 1000) / 1000))
      const client = options.client ?? LOCAL_CLIENT
      const { text, graphForm } = checkedQuery(sparql)
      if (shares.waiting + inFlight >= maxQueued) throw new NodeBusyError(`${shares.waiting + inFlight} SPARQL queries are ahead of this one; filters still answer`)
      return await new Promise<SparqlResult>((resolve, reject) => {
        shares.enqueue(client, { text, graphForm, accept, client, resolve, reject })
        pump()
      })
    },
    get store () {
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
