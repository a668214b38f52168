/**
 * Reading query parameters: a parameter given twice is a clear 400, not an array a route
 * did not expect.
 */
import { InvalidQueryError } from '../errors.ts'
import type { FacetFilter } from '../query/facets.ts'

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

/** The filters the listing and the facets share: type, issuer, q, where (repeatable), compliant, label. */
export function searchFilter (query: Record<string, unknown>): FacetFilter {
  const where = ([] as unknown[]).concat(query.where ?? []).map(w => {
    const text = String(w)
    const eq = text.indexOf('=')
    if (eq <= 0) throw new InvalidQueryError(`where takes PROPERTY=VALUE, not "${text}"`)
    return [text.slice(0, eq), text.slice(eq + 1)] as [string, string]
  })
  return {
    type: one(query.type, 'type'),
    issuer: one(query.issuer, 'issuer'),
    q: one(query.q, 'q'),
    where,
    compliant: flag(one(query.compliant, 'compliant'), 'compliant'),
    label: one(query.label, 'label')
  }
}
