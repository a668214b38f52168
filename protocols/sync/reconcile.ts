/**
 * Range-based set reconciliation (after Negentropy, NIP-77), as pure functions over a
 * SyncSet. The initiator sends the fingerprint of its whole set; on a mismatch the responder
 * splits the range into SYNC_BRANCHING subranges with their fingerprints, or lists its ids
 * when it holds few items there; the initiator splits what still differs in turn, or, where it
 * holds few items, asks for the responder's ids there (a list request: one bound, where sending
 * its own ids would cost 32 bytes each). Every range is settled by equal fingerprints or by the
 * responder's id list, from which the initiator learns what it lacks (need) and what the
 * responder lacks (have). Traffic grows with the difference and the log of the set size, not
 * with the set.
 */
import { SYNC_BRANCHING, SYNC_MAX_IDS, SYNC_SMALL_RANGE } from '../constants.ts'
import { MAX_BOUND, MIN_BOUND, boundBetween, idKey, type Bound, type SyncSet } from './sync-set.ts'
import { SyncProtocolError } from './errors.ts'
import type { WireRange } from './messages.ts'

function idRange (set: SyncSet, l: Bound, u: Bound, start: number, end: number, final = false): WireRange {
  return { l, u, ids: set.items(start, end).map(i => i.id), ...(final ? { final: true } : {}) }
}

/** Splits [l, u) into subranges of about equal numbers of this side's items, each with its fingerprint. */
function split (set: SyncSet, l: Bound, u: Bound, start: number, end: number): WireRange[] {
  const out: WireRange[] = []
  const count = end - start
  let lower = l
  let from = start
  for (let k = 1; k <= SYNC_BRANCHING; k++) {
    const to = k === SYNC_BRANCHING ? end : start + Math.floor(k * count / SYNC_BRANCHING)
    if (to === from && k !== SYNC_BRANCHING) continue
    const upper: Bound = k === SYNC_BRANCHING ? u : boundBetween(set.item(to - 1), set.item(to))
    out.push({ l: lower, u: upper, fp: set.fingerprint(from, to) })
    lower = upper
    from = to
  }
  return out
}

/** The initiator's first frame. */
export function initialRanges (set: SyncSet): WireRange[] {
  const [start, end] = set.range(MIN_BOUND, MAX_BOUND)
  if (end - start <= SYNC_SMALL_RANGE) return [{ l: MIN_BOUND, u: MAX_BOUND, list: true }]
  return [{ l: MIN_BOUND, u: MAX_BOUND, fp: set.fingerprint(start, end) }]
}

/** The responder's answer to one round. */
export function respond (set: SyncSet, ranges: WireRange[]): WireRange[] {
  const out: WireRange[] = []
  let listed = 0
  for (const range of ranges) {
    const [start, end] = set.range(range.l, range.u)
    const listAsked = range.ids != null || range.list === true
    if (listAsked && listed + end - start <= SYNC_MAX_IDS) {
      out.push(idRange(set, range.l, range.u, start, end, true))
      listed += end - start
    } else if (listAsked || set.fingerprint(start, end) !== range.fp) {
      // more ids than one frame carries: split, and the initiator asks again range by range
      if (end - start <= SYNC_SMALL_RANGE) out.push(idRange(set, range.l, range.u, start, end))
      else out.push(...split(set, range.l, range.u, start, end))
    }
  }
  return out
}

export interface Difference {
  /** ids the responder has and the initiator lacks */
  need: Uint8Array[]
  /** ids the initiator has and the responder lacks */
  have: Uint8Array[]
}

/** The initiator's next round, from the responder's answer; learned differences go into `diff`. */
export function advance (set: SyncSet, ranges: WireRange[], diff: Difference): WireRange[] {
  const out: WireRange[] = []
  for (const range of ranges) {
    const [start, end] = set.range(range.l, range.u)
    if (range.list === true) throw new SyncProtocolError('a responder does not send list requests')
    if (range.ids != null) {
      // in the order the responder lists them, its set's (timestamp, id): a late joiner then
      // fetches older versions first and an issuer's versions together, not in the random
      // order of their ids (which left it importing the same keys again and again)
      const mine = new Map(set.items(start, end).map(i => [idKey(i.id), i.id]))
      const theirKeys = new Set<string>()
      for (const id of range.ids) {
        const key = idKey(id)
        if (theirKeys.has(key)) continue
        theirKeys.add(key)
        if (!mine.has(key)) diff.need.push(id)
      }
      for (const [key, id] of mine) {
        if (!theirKeys.has(key)) diff.have.push(id)
      }
    } else if (set.fingerprint(start, end) !== range.fp) {
      if (end - start <= SYNC_SMALL_RANGE) out.push({ l: range.l, u: range.u, list: true })
      else out.push(...split(set, range.l, range.u, start, end))
    }
  }
  return out
}
