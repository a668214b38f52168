/**
 * Errors of the client. An error the node answered keeps the node's name for it
 * (`ShapeViolationError`, `NodeBusyError`…), so an app can tell them apart by `name`.
 */

/** The node answered with an error. */
export class NodeError extends Error {
  /** HTTP status */
  readonly status: number
  /** the shapes' violations, for ShapeViolationError */
  readonly violations?: unknown[]
  /** seconds to wait before trying again (503, 429) */
  readonly retryAfter?: number

  constructor (name: string, message: string, status: number, details: { violations?: unknown[], retryAfter?: number } = {}) {
    super(message)
    this.name = name
    this.status = status
    if (details.violations != null) this.violations = details.violations
    if (details.retryAfter != null) this.retryAfter = details.retryAfter
  }
}

/** The node could not be reached (refused, reset, DNS). */
export class NodeUnreachableError extends Error {
  static name = 'NodeUnreachableError'
  name = 'NodeUnreachableError'
}
