/**
 * The structured filter API over the replica: type, issuer, full text (an inverted index of
 * the literals' words), property equality; results in a stable order (the sequence of
 * acceptance), paged by an opaque cursor that stays valid while the catalogue changes.
 */
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '../constants.ts'
import { InvalidQueryError } from '../errors.ts'
import { encodeSeq, indexPrefix, type VersionRecord, type VersionStatus } from '../store/records.ts'
import { propertyKey, tokenize, typeKeyOfFilter } from './index-terms.ts'
import type { CatalogueStore } from '../store/catalogue-store.ts'

export interface ListFilter {
  type?: string
  issuer?: string
  /** full text: every word must occur */
  q?: string
  /** property equality: [property (gx:name or IRI), value] pairs */
  where?: Array<[string, string]>
  /** `active` (default), or `all` for every stored version (type and issuer filters only) */
  status?: 'active' | 'all'
  /** compliant versions only: those a trusted compliance label covers (node/compliance) */
  compliant?: boolean
  /** compliant at this label level or higher (SC, L1, L2, L3); implies `compliant` */
  label?: string
  limit?: number
  cursor?: string
}

export interface ListPage {
  items: Array<VersionRecord & { status: VersionStatus }>
  next?: string
}

/** How many postings one page may look at before it returns what it found, with a cursor. */
const MAX_SCANNED_PER_PAGE = 50_000

export function decodeCursor (cursor: string | undefined): number {
  if (cursor == null || cursor === '') return 0
  if (!/^c[0-9a-f]{12}$/.test(cursor)) throw new InvalidQueryError('cursor is not one this node handed out')
  return Number.parseInt(cursor.slice(1), 16)
}

export const encodeCursor = (seq: number): string => `c${encodeSeq(seq)}`

/** The posting lists of the current entries that a filter's words, property values, issuer and type name. */
export function filterPrefixes (filter: Pick<ListFilter, 'q' | 'where' | 'issuer' | 'type'>): string[] {
  const prefixes: string[] = []
  if (filter.q != null && filter.q.trim() !== '') {
    const words = tokenize(filter.q)
    if (words.length === 0) throw new InvalidQueryError(`q "${filter.q}" has no searchable words`)
    prefixes.push(...[...new Set(words)].map(w => indexPrefix('w', w)))
  }
  for (const [property, value] of filter.where ?? []) prefixes.push(indexPrefix('p', propertyKey(property), value))
  if (filter.issuer != null && filter.issuer !== '') prefixes.push(indexPrefix('i', filter.issuer))
  if (filter.type != null && filter.type !== '') prefixes.push(indexPrefix('t', typeKeyOfFilter(filter.type)))
  return prefixes
}

/**
 * The versions matching a filter, a page at a time. `candidates` (sorted by seq), where given,
 * drive the page instead of a posting list: the compliant heads, which live in memory.
 */
export async function listVersions (store: CatalogueStore, filter: ListFilter, candidates?: ReadonlyArray<{ seq: number, cid: string }>): Promise<ListPage> {
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  const after = decodeCursor(filter.cursor)
  const status = filter.status ?? 'active'
  if (status !== 'active' && status !== 'all') throw new InvalidQueryError('status must be active or all')

  const prefixes = filterPrefixes(filter)

  if (status === 'all') {
    if (filter.q != null || (filter.where?.length ?? 0) > 0 || candidates != null) throw new InvalidQueryError('status=all takes type and issuer filters only')
    return scanHistory(store, filter, after, limit)
  }

  const [driver = indexPrefix('a'), ...rest] = prefixes
  const checks = candidates != null ? prefixes : rest
  // the candidates in seq order past a point: the driving posting list's, or those given
  const candidatesAfter = (from: number, limit: number): AsyncIterable<{ seq: number, cid: string }> => candidates != null ? fromList(candidates, from, limit) : store.scan(driver, from, limit)
  const items: ListPage['items'] = []
  let last = after
  let scanned = 0
  let more = false
  // candidates come from the driving posting list in chunks; the other filters are checked
  // for a whole chunk at once (one getMany per filter), then the matches are read at once
  const chunkSize = Math.min(Math.max(limit * 2, 64), 1024)
  let chunk: Array<{ seq: number, cid: string }> = []
  const flush = async (): Promise<boolean> => {
    let matches = chunk
    for (const prefix of checks) {
      if (matches.length === 0) break
      const present = await store.hasPostings(prefix, matches.map(c => c.seq))
      matches = matches.filter((_, i) => present[i])
    }
    const records = await store.getVersions(matches.map(c => c.cid))
    for (let i = 0; i < matches.length; i++) {
      const record = records[i]
      if (items.length === limit) { more = true; return true }
      last = matches[i].seq
      if (record != null && record.status === 'active') items.push(record)
    }
    // every candidate of the chunk was looked at
    if (chunk.length > 0) last = Math.max(last, chunk[chunk.length - 1].seq)
    chunk = []
    return false
  }
  for await (const candidate of candidatesAfter(after, MAX_SCANNED_PER_PAGE + 1)) {
    if (++scanned > MAX_SCANNED_PER_PAGE) { more = true; break }
    chunk.push(candidate)
    if (chunk.length === chunkSize && await flush()) break
  }
  if (!more && chunk.length > 0) await flush()
  if (!more && items.length === limit) more = await hasMore(store, candidatesAfter(last, 1000), checks)
  return { items, next: more ? encodeCursor(last) : undefined }
}

async function * fromList (list: ReadonlyArray<{ seq: number, cid: string }>, after: number, limit: number): AsyncGenerator<{ seq: number, cid: string }> {
  let given = 0
  for (const item of list) {
    if (item.seq <= after) continue
    if (given++ === limit) return
    yield item
  }
}

async function hasMore (store: CatalogueStore, next: AsyncIterable<{ seq: number }>, checks: string[]): Promise<boolean> {
  let candidates: number[] = []
  for await (const { seq } of next) candidates.push(seq)
  const scannedAll = candidates.length < 1000
  for (const prefix of checks) {
    const present = await store.hasPostings(prefix, candidates)
    candidates = candidates.filter((_, i) => present[i])
  }
  return candidates.length > 0 || !scannedAll
}

async function scanHistory (store: CatalogueStore, filter: ListFilter, after: number, limit: number): Promise<ListPage> {
  const type = filter.type != null && filter.type !== '' ? typeKeyOfFilter(filter.type) : undefined
  const items: ListPage['items'] = []
  let last = after
  let more = false
  for await (const { seq, cid } of store.scan(indexPrefix('h'), after, MAX_SCANNED_PER_PAGE)) {
    if (items.length === limit) { more = true; break }
    last = seq
    const record = await store.getVersion(cid)
    if (record == null) continue
    if (filter.issuer != null && filter.issuer !== '' && record.issuer !== filter.issuer) continue
    if (type != null && !record.typeIris.some(iri => typeKeyOfFilter(iri) === type)) continue
    items.push(record)
  }
  return { items, next: more ? encodeCursor(last) : undefined }
}
