/**
 * The current heads' posting lists (every active head, by issuer, type, word and property
 * value), in memory: for each list, the seqs of the heads in it, ascending. They are derived
 * state: each head record carries its terms, so a store rebuilds them from its heads as it
 * opens, and an accepted version costs its batch three writes instead of some twenty postings.
 * The history (`h`) postings stay in LevelDB: they point at versions that are no heads.
 */

export interface Postings {
  /** a head's postings (its seq exceeds every seq added before: lists stay in order) */
  add (seq: number, prefixes: readonly string[]): void
  /** a head's postings, taken out where it is replaced or revoked */
  remove (seq: number, prefixes: readonly string[]): void
  /** up to `limit` seqs of one list after `afterSeq`, ascending: a copy, unaffected by later changes */
  after (prefix: string, afterSeq: number, limit: number): number[]
  has (prefix: string, seq: number): boolean
  /** adds heads in any order (a store's heads as it opens them) */
  load (heads: Iterable<{ seq: number, prefixes: readonly string[] }>): void
}

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

export function createPostings (): Postings {
  const lists = new Map<string, number[]>()

  const add = (seq: number, prefixes: readonly string[]): void => {
    for (const prefix of prefixes) {
      const list = lists.get(prefix)
      if (list == null) lists.set(prefix, [seq])
      else if (list[list.length - 1] < seq) list.push(seq)
      else if (!list.includes(seq)) list.splice(firstAfter(list, seq), 0, seq)
    }
  }

  return {
    add,
    remove (seq, prefixes) {
      for (const prefix of prefixes) {
        const list = lists.get(prefix)
        if (list == null) continue
        const at = firstAfter(list, seq) - 1
        if (at < 0 || list[at] !== seq) continue
        if (list.length === 1) lists.delete(prefix)
        else list.splice(at, 1)
      }
    },
    after (prefix, afterSeq, limit) {
      const list = lists.get(prefix)
      if (list == null) return []
      const start = firstAfter(list, afterSeq)
      return list.slice(start, Math.min(list.length, start + limit))
    },
    has (prefix, seq) {
      const list = lists.get(prefix)
      if (list == null) return false
      const at = firstAfter(list, seq) - 1
      return at >= 0 && list[at] === seq
    },
    load (heads) {
      const sorted = [...heads].sort((a, b) => a.seq - b.seq)
      for (const { seq, prefixes } of sorted) add(seq, prefixes)
    }
  }
}
