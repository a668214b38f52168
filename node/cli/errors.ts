/**
 * How the CLI reports a failure: one line `ErrorName: reason` on stderr and a non-zero exit.
 */

export class UsageError extends Error {
  static name = 'UsageError'
  name = 'UsageError'
}

export function reportError (err: unknown): never {
  const e = err as Error
  const name = e?.name ?? 'Error'
  // whole, on one line: a message of several lines has them joined, never cut
  const message = String(e?.message ?? err).trim().replace(/\s*\n\s*/g, ' ')
  process.stderr.write(`${name}: ${message}\n`)
  process.exit(1)
}

/** Wraps a command action so that any error is reported in the one-line form. */
export function action<A extends unknown[]> (fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args)
    } catch (err) {
      reportError(err)
    }
  }
}
