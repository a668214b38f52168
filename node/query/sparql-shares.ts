/**
 * Fair shares of the SPARQL engines between clients, as the Wikidata Query Service does it: each
 * client (its address, or the operator by token) has a budget of query time per window; past it
 * a query is refused with 429 and Retry-After until enough of the window has passed, and a query
 * that would run past what is left of it is stopped there. Queries wait in one queue per client
 * and the queues are served in turn, so one client's many queries cannot hold up another's one.
 */
import { QueryBudgetError, QueryTimeoutError } from '../errors.ts'

/** the client a query is charged to where its caller names none */
export const LOCAL_CLIENT = 'local'

export interface SparqlBudget {
  /** query time one client may use per window, in ms */
  ms: number
  windowMs: number
}

export interface SparqlShares<T> {
  /** refuses a client past its budget (QueryBudgetError); else queues `job` behind the client's own */
  enqueue (client: string, job: T): void
  /** the next job, taking the clients in turn (those `eligible` says may run one now); undefined when none waits */
  next (eligible?: (client: string) => boolean): { client: string, job: T } | undefined
  /** puts a job back at the front of its client's queue (it was sent to an engine that was stopped before it ran), whatever the budget */
  putBack (client: string, job: T): void
  /** takes a job out of its queue (its caller gave up) */
  drop (client: string, job: T): void
  /** query time a client may still use now, in ms */
  remaining (client: string): number
  /** how long a query of this client may run, starting now: the node's timeout, or what is left of its budget if that is less */
  timeLimit (client: string, timeoutMs: number): number
  /** charges a client for `ms` of query time that ended now */
  charge (client: string, ms: number): void
  /** jobs waiting, over all clients */
  readonly waiting: number
}

/** clients whose use is remembered at most: the least recent are forgotten beyond it */
const MAX_CLIENTS = 10_000

export function createSparqlShares<T> (budget: SparqlBudget, now: () => number = () => performance.now()): SparqlShares<T> {
  // in the order they will be served: a client served goes to the back
  const queues = new Map<string, T[]>()
  /** per client, the query time used and when each use ended, oldest first */
  const used = new Map<string, Array<{ at: number, ms: number }>>()
  let waiting = 0

  const usesInWindow = (client: string): Array<{ at: number, ms: number }> => {
    const uses = used.get(client)
    if (uses == null) return []
    const since = now() - budget.windowMs
    while (uses.length > 0 && uses[0].at <= since) uses.shift()
    if (uses.length === 0) used.delete(client)
    return uses
  }
  const remaining = (client: string): number => budget.ms - usesInWindow(client).reduce((sum, use) => sum + use.ms, 0)

  return {
    enqueue (client, job) {
      const left = remaining(client)
      if (left <= 0) {
        // when enough of the oldest uses leave the window to give some budget back
        const uses = usesInWindow(client)
        let owed = -left
        let at = uses[0]?.at ?? now()
        for (const use of uses) {
          at = use.at
          owed -= use.ms
          if (owed < 0) break
        }
        const retryAfter = Math.max(1, Math.ceil((at + budget.windowMs - now()) / 1000))
        throw new QueryBudgetError(`this client has used its ${Math.round(budget.ms / 1000)} s of SPARQL query time per ${Math.round(budget.windowMs / 1000)} s; try again in ${retryAfter} s (filters still answer)`, retryAfter)
      }
      const queue = queues.get(client)
      if (queue == null) queues.set(client, [job])
      else queue.push(job)
      waiting++
    },
    next (eligible) {
      for (const [client, queue] of queues) {
        if (eligible?.(client) === false) continue
        queues.delete(client)
        const job = queue.shift()
        if (queue.length > 0) queues.set(client, queue)
        if (job === undefined) continue
        waiting--
        return { client, job }
      }
      return undefined
    },
    putBack (client, job) {
      const queue = queues.get(client)
      if (queue == null) queues.set(client, [job])
      else queue.unshift(job)
      waiting++
    },
    drop (client, job) {
      const queue = queues.get(client)
      const at = queue?.indexOf(job) ?? -1
      if (queue == null || at < 0) return
      queue.splice(at, 1)
      waiting--
      if (queue.length === 0) queues.delete(client)
    },
    remaining,
    timeLimit (client, timeoutMs) {
      return Math.max(1, Math.min(timeoutMs, remaining(client)))
    },
    charge (client, ms) {
      let uses = used.get(client)
      if (uses == null) {
        if (used.size >= MAX_CLIENTS) used.delete(used.keys().next().value as string)
        used.set(client, uses = [])
      }
      uses.push({ at: now(), ms })
    },
    get waiting () {
      return waiting
    }
  }
}

/** What a query stopped at its time limit (timeLimit) is answered. */
export function stoppedAtLimit (limitMs: number, timeoutMs: number): QueryTimeoutError {
  return new QueryTimeoutError(limitMs < timeoutMs
    ? `the query ran past what was left of this client's SPARQL time (${Math.round(limitMs)} ms) and was stopped`
    : `the query ran longer than ${limitMs} ms and was stopped`)
}
