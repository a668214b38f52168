/**
 * The set a node reconciles: one item per version it serves (the head of each active entry,
 * and each revocation), ordered by (timestamp, id) where the timestamp is validFrom (or
 * revokedAt) in ms and the id the sha2-256 digest of the version's CID. Range fingerprints
 * come from prefix sums of the ids taken as eight 32-bit lanes (addition mod 2^32 per lane,
 * in the spirit of Negentropy's sum mod 2^256), hashed with the count: O(1) per range.
 */
import { createHash } from 'node:crypto'
import { cidTextOfDigest, digestOfCidText } from '../self-description/identity.ts'

export interface SyncItem {
  ts: number
  /** 32 bytes: the sha2-256 digest of the version's CID */
  id: Uint8Array
}

export interface Bound {
  ts: number
  /** an id or a prefix of one (sorting before every id it starts); omitted = the lowest id at that timestamp */
  id?: Uint8Array
}

export const MIN_BOUND: Bound = { ts: 0 }
export const MAX_BOUND: Bound = { ts: Number.MAX_SAFE_INTEGER }

export function idOfCid (cid: string): Uint8Array {
  return digestOfCidText(cid)
}

/** An id as a string, to key sets and maps by (ids are bytes, compared by reference otherwise). */
export function idKey (id: Uint8Array): string {
  return Buffer.from(id).toString('base64')
}

export function cidOfId (id: Uint8Array): string {
  return cidTextOfDigest(id)
}

export function compareIds (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return 0
}

export function compareItems (a: SyncItem, b: SyncItem): number {
  return a.ts !== b.ts ? a.ts - b.ts : compareIds(a.id, b.id)
}

/** Lexicographic order of ids and id prefixes: a prefix sorts before every longer id that starts with it. */
function compareIdPrefixes (a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.length, b.length)
  for (let i = 0; i < common; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

export function compareBounds (a: Bound, b: Bound): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1
  return compareIdPrefixes(a.id ?? new Uint8Array(0), b.id ?? new Uint8Array(0))
}

/** The shortest bound that separates an item from the item before it: most often its timestamp alone. */
export function boundBetween (previous: SyncItem, next: SyncItem): Bound {
  if (previous.ts !== next.ts) return { ts: next.ts }
  let shared = 0
  while (shared < 31 && previous.id[shared] === next.id[shared]) shared++
  return { ts: next.ts, id: next.id.slice(0, shared + 1) }
}

/** Whether an item sorts before a bound. */
function before (item: SyncItem, bound: Bound): boolean {
  if (item.ts !== bound.ts) return item.ts < bound.ts
  if (bound.id == null) return false
  return compareIdPrefixes(item.id, bound.id) < 0
}

export interface SyncSet {
  add (item: SyncItem): void
  remove (item: SyncItem): void
  readonly size: number
  /** index range [start, end) of the items in [lower, upper) */
  range (lower: Bound, upper: Bound): [number, number]
  fingerprint (start: number, end: number): string
  items (start: number, end: number): SyncItem[]
  item (index: number): SyncItem
  has (id: Uint8Array): boolean
}

const keyOf = (id: Uint8Array): string => Buffer.from(id).toString('base64')

export function createSyncSet (initial: SyncItem[] = []): SyncSet {
  let items: SyncItem[] = [...initial]
  const present = new Map<string, SyncItem>(items.map(i => [keyOf(i.id), i]))
  let lanes = new Uint32Array(0)
  let dirty = true
  let pendingAdds: SyncItem[] = []
  let removed = false

  function settle (): void {
    if (!dirty) return
    if (removed) items = items.filter(i => present.get(keyOf(i.id)) === i)
    if (pendingAdds.length > 0) {
      pendingAdds.sort(compareItems)
      // merge two sorted lists
      const merged: SyncItem[] = new Array(items.length + pendingAdds.length)
      let a = 0
      let b = 0
      let k = 0
      while (a < items.length || b < pendingAdds.length) {
        merged[k++] = b >= pendingAdds.length || (a < items.length && compareItems(items[a], pendingAdds[b]) <= 0) ? items[a++] : pendingAdds[b++]
      }
      items = merged
    } else if (!removed) {
      items.sort(compareItems)
    }
    pendingAdds = []
    removed = false
    lanes = new Uint32Array((items.length + 1) * 8)
    for (let i = 0; i < items.length; i++) {
      const view = new DataView(items[i].id.buffer, items[i].id.byteOffset, 32)
      for (let l = 0; l < 8; l++) lanes[(i + 1) * 8 + l] = (lanes[i * 8 + l] + view.getUint32(l * 4, true)) >>> 0
    }
    dirty = false
  }

  function lowerIndex (bound: Bound): number {
    let lo = 0
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (before(items[mid], bound)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  return {
    add (item) {
      const key = keyOf(item.id)
      if (present.has(key)) return
      present.set(key, item)
      pendingAdds.push(item)
      dirty = true
    },
    remove (item) {
      const key = keyOf(item.id)
      const stored = present.get(key)
      if (stored == null) return
      present.delete(key)
      const pending = pendingAdds.indexOf(stored)
      if (pending !== -1) pendingAdds.splice(pending, 1)
      else removed = true
      dirty = true
    },
    get size () {
      return present.size
    },
    range (lower, upper) {
      settle()
      return [lowerIndex(lower), lowerIndex(upper)]
    },
    fingerprint (start, end) {
      settle()
      const sum = new Uint32Array(8)
      for (let l = 0; l < 8; l++) sum[l] = (lanes[end * 8 + l] - lanes[start * 8 + l]) >>> 0
      const count = new Uint8Array(8)
      new DataView(count.buffer).setUint32(0, end - start, true)
      return createHash('sha256').update(new Uint8Array(sum.buffer)).update(count).digest().subarray(0, 16).toString('base64url')
    },
    items (start, end) {
      settle()
      return items.slice(start, end)
    },
    item (index) {
      settle()
      return items[index]
    },
    has (id) {
      return present.has(keyOf(id))
    }
  }
}
