/**
 * How many new versions of one entry a node takes in a window (an issuer re-signing in a loop
 * costs every node a signature and shapes check each time): past it, EntryRateLimitedError with
 * when to try again. The head again or an older version (duplicates from gossip and sync) does
 * not count.
 */
import { RateLimiter } from '@libp2p/utils'
import { compareVersions, type VerifiedCredential } from '../protocols/self-description/index.ts'
import { ENTRY_VERSION_WINDOW_MS, ENTRY_VERSIONS_PER_WINDOW } from './constants.ts'
import { EntryRateLimitedError } from './errors.ts'
import type { MemoryHead } from './store/records.ts'

export interface EntryRate {
  /** throws EntryRateLimitedError if `verified` is a new version past its entry's budget */
  assert (verified: VerifiedCredential, head: MemoryHead | undefined): void
}

export function createEntryRate (init: { versions: number, windowMs: number } = { versions: ENTRY_VERSIONS_PER_WINDOW, windowMs: ENTRY_VERSION_WINDOW_MS }): EntryRate {
  const limiter = new RateLimiter({ points: init.versions, duration: init.windowMs / 1000 })
  return {
    assert (verified, head) {
      if (head != null && compareVersions(verified, head) <= 0) return
      try {
        limiter.consume(verified.entry)
      } catch (err: any) {
        const retryAfter = Math.ceil((err.msBeforeNext ?? 60_000) / 1000)
        throw new EntryRateLimitedError(`entry ${verified.entry} (${verified.subject}) had too many new versions in a short time; try again in ${retryAfter} s`, retryAfter)
      }
    }
  }
}
