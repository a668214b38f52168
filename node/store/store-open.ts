/**
 * Opening the store (catalogue-store.ts): the wait for a lock a stopping process still holds,
 * the check that no acknowledged batch is lost, the heads snapshot read back only where a
 * sample of it matches the records, and the one-time drop of postings older stores kept on disk.
 */
import type { AbstractSublevel } from 'abstract-level'
import { HEADS_SPOT_CHECK, STORE_LOCK_WAIT_MS } from '../constants.ts'
import { StoreError, type StoreCorruptionError } from '../errors.ts'
import { parseHeads } from './heads-snapshot.ts'
import { firstFieldsOf } from './level-reading.ts'
import type { MemoryHead } from './records.ts'
import type { Database } from './store-api.ts'
import type { StoreState } from './store-mark.ts'

export type Sub = AbstractSublevel<Database, any, string, any>

export const isCorruption = (err: any): boolean => err.code === 'LEVEL_CORRUPTION' || /corrupt/i.test(`${err.message} ${err.cause?.message ?? ''}`)

/** Opens the database and its sub-levels; a process that is still shutting down may hold the lock for a moment: waits for it. */
export async function openWaitingForLock (db: Database, sublevels: Sub[], damaged: (what: string) => StoreCorruptionError): Promise<void> {
  const deadline = Date.now() + STORE_LOCK_WAIT_MS
  for (;;) {
    try {
      await db.open()
      // sub-levels whose first (deferred) open failed on the lock stay closed: open them again
      await Promise.all(sublevels.map(async sub => sub.open()))
      return
    } catch (err: any) {
      if (isCorruption(err)) throw damaged(err.cause?.message ?? err.message)
      const locked = err.code === 'LEVEL_LOCKED' || err.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(err.cause?.message ?? '')
      if (!locked || Date.now() > deadline) throw new StoreError(`cannot open the store: ${err.cause?.message ?? err.message}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

/** What is lost, where what the store holds falls short of what it recorded (in its last batch) or acknowledged (the mark). */
export function lostBatches (found: StoreState, recorded: StoreState | undefined, marked: StoreState | undefined): string | undefined {
  const missing = (expected: StoreState): string =>
    `it acknowledged ${expected.versions} versions of ${expected.heads} entries and ${expected.revocations} revocations, ${found.versions}, ${found.heads} and ${found.revocations} are left`
  if (recorded != null && (recorded.versions !== found.versions || recorded.heads !== found.heads || recorded.revocations !== found.revocations)) {
    return `batches in the middle of its log are lost: ${missing(recorded)}`
  }
  if (marked != null && marked.batches > found.batches) {
    return `the newest ${marked.batches - found.batches} of ${marked.batches} acknowledged batches are lost: ${missing(marked)}`
  }
  return undefined
}

/**
 * Stores written before kept the heads' postings on disk; they are derived from the heads now.
 * Cleared once, then compacted: LevelDB would otherwise step over their deletion markers.
 */
export async function dropStoredPostings (db: Database, index: Sub, meta: Sub): Promise<void> {
  for (const [gte, lt] of [['a\u0000', 'a\u0001'], ['i\u0000', 'w\u0001']]) {
    if ((await index.keys({ gte, lt, limit: 1 }).all()).length === 0) continue
    await index.clear({ gte, lt })
    const compactRange = (db as { compactRange?: (start: string, end: string) => Promise<void> }).compactRange
    await compactRange?.call(db, index.prefix + gte, index.prefix + lt)
  }
  await meta.put('postings', 'memory')
}

/**
 * The heads written as the store last closed, if they belong to the state it opens in and a
 * sample of them (HEADS_SPOT_CHECK, spread over all) reads back from their records as written;
 * else undefined, and every record is read (with the checks of a store that did not close).
 */
export async function verifiedHeadsSnapshot (text: string | undefined, recorded: StoreState | undefined, heads: Sub): Promise<Array<[string, MemoryHead]> | undefined> {
  const snapshot = text == null ? undefined : parseHeads(text)
  if (snapshot == null || snapshot.length !== recorded?.heads) return undefined
  const step = Math.max(1, Math.floor(snapshot.length / HEADS_SPOT_CHECK))
  const sample = snapshot.filter((_, i) => i % step === 0)
  const records = await heads.getMany(sample.map(([entry]) => entry), { valueEncoding: 'utf8' }) as Array<string | undefined>
  const same = sample.every(([, head], i) => {
    const text = records[i]
    const stored: MemoryHead | undefined = text == null ? undefined : firstFieldsOf(text) ?? JSON.parse(text)
    return stored?.cid === head.cid && stored.validFrom === head.validFrom && stored.seq === head.seq
  })
  return same ? snapshot : undefined
}
