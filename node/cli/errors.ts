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
  const message = String(e?.message ?? err).split('\n')[0]
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
