/**
 * Questions about the current heads that the posting lists in memory answer at once: the facets
 * of those within a search, and the newest heads in several lists (an issuer's own LegalPerson).
 */
import { facetKeys, topCounts } from './facet-counts.ts'
import type { Postings } from './postings.ts'
import type { CatalogueStore } from './store-api.ts'

export type HeadQueries = Pick<CatalogueStore, 'facetsWithin' | 'newestHeads'>

export function createHeadQueries (postings: Postings, headCids: ReadonlyMap<number, string>): HeadQueries {
  return {
    async facetsWithin (prefixes, candidates, limit) {
      for (const prefix of [...prefixes, facetKeys.issuer, facetKeys.keyword]) await postings.loaded(prefix)
      const heads = postings.within(prefixes, candidates?.map(c => c.seq))
      return {
        heads,
        type: topCounts(postings.countWithin(heads, 't'), limit),
        issuer: topCounts(postings.countWithin(heads, 'i'), limit),
        keyword: topCounts(postings.countWithin(heads, 'p', facetKeys.keywordProperty), limit)
      }
    },
    async newestHeads (prefixes, limit) {
      for (const prefix of prefixes) await postings.loaded(prefix)
      const heads = postings.within(prefixes)
      const newest: Array<{ seq: number, cid: string }> = []
      for (let i = heads.length - 1; i >= 0 && newest.length < limit; i--) {
        const cid = headCids.get(heads[i])
        if (cid != null) newest.push({ seq: heads[i], cid })
      }
      return newest
    }
  }
}
