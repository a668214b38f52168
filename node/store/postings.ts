/**
 * The current heads' posting lists (every active head, by issuer, type, word and property
 * value), in memory: for each list, the seqs of the heads in it, ascending. They are derived
 * state: each head record carries its terms, so an accepted version costs its batch three
 * writes instead of some twenty postings. A store writes the lists out as it closes and reads
 * them back as it opens (`serialize`, `restore`) where it is still in that state; otherwise it
 * rebuilds them from its heads (`load`). The history (`h`) postings stay in LevelDB: they point
 * at versions that are no heads.
 *
 * Lists are keyed by the terms' own strings (no prefix strings built per posting: at 100,000
 * heads that was two million concatenations to hash), and a list of one head is its seq alone.
 */
import { POSTINGS_LOAD_CHUNK } from '../constants.ts'
import { postingOfPrefix, type HeadTerms } from './records.ts'

export interface Postings {
  /** a head's postings (a seq above every seq added before keeps the lists in order cheaply) */
  add (seq: number, terms: HeadTerms): void
  /** a head's postings, taken out where it is replaced or revoked */
  remove (seq: number, terms: HeadTerms): void
  /** up to `limit` seqs of one list (an index prefix) after `afterSeq`, ascending: a copy, unaffected by later changes */
  after (prefix: string, afterSeq: number, limit: number): number[]
  has (prefix: string, seq: number): boolean
  /**
   * Adds heads in any order (a store's heads as it opens them), a few thousand a turn of the
   * event loop: at 100,000 heads this takes most of a second, which the node spends serving.
   * Every head and the lists by issuer and type come first, then words and property values.
   */
  load (heads: Array<{ seq: number, terms: HeadTerms }>): Promise<void>
  /** while the list an index prefix names is still being loaded: when it will be complete */
  loaded (prefix: string): Promise<void> | undefined
  /** how many heads each list of issuers (i), of types (t) or of one property's values (p) holds, by value */
  sizes (kind: 'i' | 't' | 'p', property?: string): Map<string, number>
  /** the heads (seqs, ascending) in every list the prefixes name, and among `candidates` (seqs, ascending) where given */
  within (prefixes: string[], candidates?: readonly number[]): number[]
  /** how many of `heads` (seqs, ascending) each list of issuers (i), of types (t) or of one property's values (p) holds, by value */
  countWithin (heads: readonly number[], kind: 'i' | 't' | 'p', property?: string): Map<string, number>
  /** every list as text, for `restore` (a store writes it as it closes) */
  serialize (): string
  /** the lists as `serialize` wrote them, in place of loading the heads */
  restore (text: string): void
}

interface Serialized {
  active: List | null
  i: Array<[string, List]>
  t: Array<[string, List]>
  w: Array<[string, List]>
  p: Array<[string, Array<[string, List]>]>
}

/** one head's seq, or several, ascending */
type List = number | number[]
type Lists = Map<string, List>

/** The index of the first seq in `list` greater than `seq` (lists are ascending). */
function firstAfter (list: readonly number[], seq: number): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (list[middle] <= seq) low = middle + 1
    else high = middle
  }
  return low
}

function insert (lists: Lists, key: string, seq: number): void {
  const list = lists.get(key)
  if (list === undefined) lists.set(key, seq)
  else if (typeof list === 'number') {
    if (list !== seq) lists.set(key, list < seq ? [list, seq] : [seq, list])
  } else if (list[list.length - 1] < seq) list.push(seq)
  else {
    const at = firstAfter(list, seq)
    if (list[at - 1] !== seq) list.splice(at, 0, seq)
  }
}

function erase (lists: Lists, key: string, seq: number): void {
  const list = lists.get(key)
  if (list === undefined) return
  if (typeof list === 'number') {
    if (list === seq) lists.delete(key)
    return
  }
  const at = firstAfter(list, seq) - 1
  if (at < 0 || list[at] !== seq) return
  list.splice(at, 1)
  if (list.length === 1) lists.set(key, list[0])
}

export function createPostings (): Postings {
  const active: Lists = new Map()
  const byKind: Record<'i' | 't' | 'w', Lists> = { i: new Map(), t: new Map(), w: new Map() }
  const byProperty = new Map<string, Lists>()

  /** the lists of every head (a), by issuer (i) and by type (t) */
  const visitCore = (terms: HeadTerms, fn: (lists: Lists, key: string) => void): void => {
    fn(active, '')
    fn(byKind.i, terms.issuer)
    for (const type of terms.types) fn(byKind.t, type)
  }
  /** the lists by word (w) and property value (p): most of a head's postings */
  const visitWords = (terms: HeadTerms, create: boolean, fn: (lists: Lists, key: string) => void): void => {
    for (const token of terms.tokens) fn(byKind.w, token)
    for (const [property, value] of terms.properties) {
      let lists = byProperty.get(property)
      if (lists == null) {
        if (!create) continue
        byProperty.set(property, lists = new Map())
      }
      fn(lists, value)
      if (lists.size === 0) byProperty.delete(property)
    }
  }
  /** kinds whose lists are being loaded, and when they will be complete */
  const loading = new Map<string, Promise<void>>()

  /** the list an index prefix (`indexPrefix(kind, …values)`) names */
  const listOf = (prefix: string): List | undefined => {
    const { kind, property, value } = postingOfPrefix(prefix)
    if (kind === 'a') return active.get('')
    if (kind === 'p') return byProperty.get(property)?.get(value)
    if (kind === 'i' || kind === 't' || kind === 'w') return byKind[kind].get(value)
    return undefined
  }

  const add = (seq: number, terms: HeadTerms): void => {
    const put = (lists: Lists, key: string): void => { insert(lists, key, seq) }
    visitCore(terms, put)
    visitWords(terms, true, put)
  }

  /** `fn` over the heads, a chunk a turn of the event loop */
  const eachHead = async (heads: Array<{ seq: number, terms: HeadTerms }>, fn: (seq: number, terms: HeadTerms) => void): Promise<void> => {
    for (let i = 0; i < heads.length; i++) {
      fn(heads[i].seq, heads[i].terms)
      if (i % POSTINGS_LOAD_CHUNK === POSTINGS_LOAD_CHUNK - 1) await new Promise(resolve => setImmediate(resolve))
    }
  }
  /** marks the lists of `kinds` as loading until `done` */
  const loadingUntil = (kinds: string[], done: Promise<void>): void => {
    for (const kind of kinds) loading.set(kind, done)
    void done.finally(() => { for (const kind of kinds) loading.delete(kind) }).catch(() => {})
  }

  return {
    add,
    remove (seq, terms) {
      const drop = (lists: Lists, key: string): void => { erase(lists, key, seq) }
      visitCore(terms, drop)
      visitWords(terms, false, drop)
    },
    loaded (prefix) {
      return loading.get(prefix.slice(0, 1))
    },
    after (prefix, afterSeq, limit) {
      const list = listOf(prefix)
      if (list === undefined) return []
      if (typeof list === 'number') return list > afterSeq && limit > 0 ? [list] : []
      const start = firstAfter(list, afterSeq)
      return list.slice(start, Math.min(list.length, start + limit))
    },
    has (prefix, seq) {
      const list = listOf(prefix)
      if (list === undefined) return false
      if (typeof list === 'number') return list === seq
      const at = firstAfter(list, seq) - 1
      return at >= 0 && list[at] === seq
    },
    sizes (kind, property) {
      const lists = kind === 'p' ? byProperty.get(property ?? '') : byKind[kind]
      const sizes = new Map<string, number>()
      for (const [value, list] of lists ?? []) sizes.set(value, typeof list === 'number' ? 1 : list.length)
      return sizes
    },
    within (prefixes, candidates) {
      const lists = prefixes.map(prefix => {
        const list = listOf(prefix)
        return list === undefined ? [] : typeof list === 'number' ? [list] : list
      })
      if (candidates != null) lists.push(candidates as number[])
      if (lists.length === 0) {
        const all = active.get('')
        return all === undefined ? [] : typeof all === 'number' ? [all] : [...all]
      }
      // the shortest list drives; each of its seqs is looked up in the others
      lists.sort((a, b) => a.length - b.length)
      const [driver, ...others] = lists
      return driver.filter(seq => others.every(list => {
        const at = firstAfter(list, seq) - 1
        return at >= 0 && list[at] === seq
      }))
    },
    countWithin (heads, kind, property) {
      const counts = new Map<string, number>()
      if (heads.length === 0) return counts
      const lists = kind === 'p' ? byProperty.get(property ?? '') : byKind[kind]
      // a bit per seq up to the last head: one lookup per posting of the facet's lists
      const last = heads[heads.length - 1]
      const bits = new Uint32Array((last >>> 5) + 1)
      for (const seq of heads) bits[seq >>> 5] |= 1 << (seq & 31)
      const isIn = (seq: number): boolean => seq <= last && (bits[seq >>> 5] & (1 << (seq & 31))) !== 0
      for (const [value, list] of lists ?? []) {
        let count = 0
        if (typeof list === 'number') count = isIn(list) ? 1 : 0
        else for (const seq of list) if (isIn(seq)) count++
        if (count > 0) counts.set(value, count)
      }
      return counts
    },
    serialize () {
      const serialized: Serialized = {
        active: active.get('') ?? null,
        i: [...byKind.i],
        t: [...byKind.t],
        w: [...byKind.w],
        p: [...byProperty].map(([property, lists]) => [property, [...lists]])
      }
      return JSON.stringify(serialized)
    },
    restore (text) {
      const serialized: Serialized = JSON.parse(text)
      active.clear()
      if (serialized.active != null) active.set('', serialized.active)
      for (const kind of ['i', 't', 'w'] as const) {
        byKind[kind].clear()
        for (const [key, list] of serialized[kind]) byKind[kind].set(key, list)
      }
      byProperty.clear()
      for (const [property, lists] of serialized.p) byProperty.set(property, new Map(lists))
    },
    async load (heads) {
      heads.sort((a, b) => a.seq - b.seq)
      // every head, and by issuer and type, first (a few per head): listing and the usual
      // filters answer once these are in; words and property values (most postings) follow
      const core = eachHead(heads, (seq, terms) => { visitCore(terms, (lists, key) => { insert(lists, key, seq) }) })
      const words = core.then(async () => eachHead(heads, (seq, terms) => { visitWords(terms, true, (lists, key) => { insert(lists, key, seq) }) }))
      loadingUntil(['a', 'i', 't'], core)
      loadingUntil(['w', 'p'], words)
      await words
    }
  }
}
