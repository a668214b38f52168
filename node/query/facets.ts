/**
 * Facet counts: the current entries by compliance label level, type, issuer and keyword, the
 * most frequent first. Without a filter they are the counts kept as entries come and go (an
 * answer at once at any size); within a search (the listing's filters) they are counted over
 * the posting lists in memory: one look per posting of the facets' lists.
 */
import type { ComplianceIndex } from '../compliance/compliance-index.ts'
import type { CatalogueStore } from '../store/store-api.ts'
import { filterPrefixes, type ListFilter } from './filters.ts'
import type { IssuerNames } from './issuer-names.ts'

export type FacetFilter = Pick<ListFilter, 'type' | 'issuer' | 'q' | 'where' | 'compliant' | 'label'>

export interface FacetCount {
  value: string
  count: number
  /** an issuer's legal name, where the catalogue holds its own gx:LegalPerson */
  name?: string
}

export interface Facets {
  /** the entries counted: every current entry, or those within the filter */
  entries: number
  /** current entries by the level of the compliance label that counts for them */
  labels: FacetCount[]
  types: FacetCount[]
  issuers: FacetCount[]
  keywords: FacetCount[]
}

export interface FacetsComponents {
  store: CatalogueStore
  compliance: ComplianceIndex
  issuerNames: IssuerNames
}

export async function countFacets ({ store, compliance, issuerNames }: FacetsComponents, limit: number, filter: FacetFilter = {}): Promise<Facets> {
  const prefixes = filterPrefixes(filter)
  const candidates = compliance.candidates(filter)
  let facets: Facets
  if (prefixes.length === 0 && candidates == null) {
    facets = {
      entries: store.counts.entries,
      labels: compliance.counts(),
      types: store.facets('type', limit),
      issuers: store.facets('issuer', limit),
      keywords: store.facets('keyword', limit)
    }
  } else {
    const within = await store.facetsWithin(prefixes, candidates, limit)
    const heads = new Set(within.heads)
    facets = {
      entries: within.heads.length,
      labels: compliance.counts(undefined, seq => heads.has(seq)),
      types: within.type,
      issuers: within.issuer,
      keywords: within.keyword
    }
  }
  const names = await issuerNames.namesOf(facets.issuers.map(i => i.value))
  facets.issuers = facets.issuers.map(i => names.has(i.value) ? { ...i, name: names.get(i.value) } : i)
  return facets
}
