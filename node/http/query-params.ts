/**
 * Reading query parameters: a parameter given twice is a clear 400, not an array a route
 * did not expect.
 */
import { InvalidQueryError } from '../errors.ts'

/** The one value of a query parameter, or undefined when absent. */
export function one (value: unknown, name: string): string | undefined {
  if (value == null) return undefined
  if (Array.isArray(value)) throw new InvalidQueryError(`${name} may be given once`)
  return String(value)
}

/** A true/false query parameter, or undefined when absent. */
export function flag (value: string | undefined, name: string): boolean | undefined {
  if (value == null) return undefined
  if (value === 'true' || value === '') return true
  if (value === 'false') return false
  throw new InvalidQueryError(`${name} is true or false, not "${value.slice(0, 40)}"`)
}
