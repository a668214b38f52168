/**
 * Typed errors of a catalogue node. Each extends a category of protocols/errors.ts, which gives
 * its HTTP status and whom it blames.
 */
import { AbsentError, CatalogueError, ConflictError, type Blame, InvalidInputError, MissingTokenError, PolicyRefusalError, UnavailableError } from '../protocols/errors.ts'

export class StoreError extends UnavailableError {
  static name = 'StoreError'
  name = 'StoreError'
}

export class EntryRevokedError extends ConflictError {
  static name = 'EntryRevokedError'
  name = 'EntryRevokedError'
}

export class NotFoundError extends AbsentError {
  static name = 'NotFoundError'
  name = 'NotFoundError'
}

export class InvalidQueryError extends InvalidInputError {
  static name = 'InvalidQueryError'
  name = 'InvalidQueryError'
}

export class ReadOnlyQueryError extends InvalidInputError {
  static name = 'ReadOnlyQueryError'
  name = 'ReadOnlyQueryError'
}

export class UnauthorizedError extends MissingTokenError {
  static name = 'UnauthorizedError'
  name = 'UnauthorizedError'
}

export class ConfigError extends Error {
  static name = 'ConfigError'
  name = 'ConfigError'
}

export class NodeStoppedError extends UnavailableError {
  static name = 'NodeStoppedError'
  name = 'NodeStoppedError'
}

/** A request body that is not what the route takes. */
export class InvalidRequestError extends InvalidInputError {
  static name = 'InvalidRequestError'
  name = 'InvalidRequestError'
}

/** A request from a browser page of another origin, or for a Host this node does not serve (DNS rebinding). */
export class ForbiddenOriginError extends PolicyRefusalError {
  static name = 'ForbiddenOriginError'
  name = 'ForbiddenOriginError'
}

/** A SPARQL query ran past its time budget; it was stopped and its memory released. */
export class QueryTimeoutError extends InvalidInputError {
  static name = 'QueryTimeoutError'
  name = 'QueryTimeoutError'
}

/** A SPARQL query's results are larger than the budget allows. */
export class QueryTooLargeError extends InvalidInputError {
  static name = 'QueryTooLargeError'
  name = 'QueryTooLargeError'
}

/** A refusal for now: the HTTP API sends `retryAfter` as Retry-After (429, or 503 where this node is the bound). */
export class RetryLaterError extends CatalogueError {
  override readonly httpStatus: number = 429
  /** seconds after which to try again */
  readonly retryAfter: number

  constructor (message: string, retryAfter: number) {
    super(message)
    this.retryAfter = retryAfter
  }
}

/** The SPARQL engine is restarting (after a query past its budget); filters still answer. */
export class SparqlUnavailableError extends RetryLaterError {
  static name = 'SparqlUnavailableError'
  name = 'SparqlUnavailableError'
  override readonly httpStatus = 503
  override readonly blame: Blame = 'this-node'

  constructor (message: string, retryAfter = 5) {
    super(message, retryAfter)
  }
}

/** The node has as much work queued as it can answer in good time: try again shortly. */
export class NodeBusyError extends RetryLaterError {
  static name = 'NodeBusyError'
  name = 'NodeBusyError'
  override readonly httpStatus = 503
  override readonly blame: Blame = 'this-node'

  constructor (message: string, retryAfter = 1) {
    super(message, retryAfter)
  }
}

/** Too many new versions of one entry in a short time; retry after the window. */
export class EntryRateLimitedError extends RetryLaterError {
  static name = 'EntryRateLimitedError'
  name = 'EntryRateLimitedError'
  // the issuer publishes versions of one entry faster than nodes take them: newer ones come later, or by sync
  override readonly blame: Blame = 'nobody'
}

/**
 * A peer past one of its gossip budgets (messages, the values of the credentials it sends, the
 * new entries it brings, network/peer-budget.ts): ignored while within twice the budget
 * (`reject` false), then rejected, which lowers its gossip score.
 */
export class PeerFloodError extends Error {
  static name = 'PeerFloodError'
  name = 'PeerFloodError'
  readonly reject: boolean

  constructor (message: string, reject: boolean) {
    super(message)
    this.reject = reject
  }
}

/** A client past its budget of SPARQL query time (per window): 429 with Retry-After; other clients are served. */
export class QueryBudgetError extends RetryLaterError {
  static name = 'QueryBudgetError'
  name = 'QueryBudgetError'
}

/** A client past its rate limit on costly routes. */
export class RateLimitedError extends RetryLaterError {
  static name = 'RateLimitedError'
  name = 'RateLimitedError'
}

/**
 * The store does not hold everything it acknowledged (a truncated or damaged log, a lost
 * CURRENT file, a missing store): the node refuses to start rather than serve a catalogue
 * with entries silently missing. `gxcat repair --data DIR` rebuilds it.
 */
export class StoreCorruptionError extends Error {
  static name = 'StoreCorruptionError'
  name = 'StoreCorruptionError'
}
