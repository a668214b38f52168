/**
 * The current heads counted by facet (type, issuer, gx:keyword), kept in memory as heads come
 * and go: counts answer at once at any size.
 */
import type { FacetKind } from './store-api.ts'
import { indexPrefix, type HeadTerms } from './records.ts'

/** the property whose values are the keyword facet */
export const KEYWORD_PROPERTY = 'gx:keyword'

/** The posting lists each facet counts: issuers, and the keyword property's values. */
export const facetKeys = {
  issuer: indexPrefix('i'),
  keyword: indexPrefix('p', KEYWORD_PROPERTY),
  keywordProperty: KEYWORD_PROPERTY
}

export interface FacetCounts {
  /** counts a head's facets in (delta 1) or out (-1): its issuer, types and keywords */
  count (terms: HeadTerms, delta: number): void
  /** the most frequent values first */
  top (kind: FacetKind, limit: number): Array<{ value: string, count: number }>
  /** takes counts read back with the posting lists (each head is once in each list of its terms) */
  restore (counts: Record<FacetKind, Map<string, number>>): void
}

export function createFacetCounts (): FacetCounts {
  let counts: Record<FacetKind, Map<string, number>> = { type: new Map(), issuer: new Map(), keyword: new Map() }
  const bump = (kind: FacetKind, value: string, delta: number): void => {
    const count = (counts[kind].get(value) ?? 0) + delta
    if (count > 0) counts[kind].set(value, count)
    else counts[kind].delete(value)
  }
  return {
    count (terms, delta) {
      bump('issuer', terms.issuer, delta)
      for (const type of terms.types) bump('type', type, delta)
      for (const [property, value] of terms.properties) if (property === KEYWORD_PROPERTY) bump('keyword', value, delta)
    },
    restore (restored) {
      counts = restored
    },
    top (kind, limit) {
      return topCounts(counts[kind], limit)
    }
  }
}

/** The most frequent values first (ties by value), at most `limit`. */
export function topCounts (counts: ReadonlyMap<string, number>, limit: number): Array<{ value: string, count: number }> {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([value, count]) => ({ value, count }))
}
