/**
 * The stored heads whose credentials carry status lists (W3C Bitstring Status List), checked
 * again now and then: each found revoked, suspended or active again is marked so in the store,
 * and `onChange` tells the node (its SPARQL index, compliance, events). The first re-check reads
 * every head once to find those with status lists; later ones read only those, and the ones
 * published since.
 */
import type { AbortOptions, StatusChecker } from '../protocols/self-description/index.ts'
import type { CatalogueStore } from './store/catalogue-store.ts'
import type { VersionRecord } from './store/records.ts'
import type { Logger } from '@libp2p/interface'

export type ListStatus = 'active' | 'revoked' | 'suspended'

export interface StatusWatchComponents {
  store: CatalogueStore
  status: StatusChecker
  log: Logger
}

export interface StatusWatchInit {
  onChange: (record: VersionRecord, status: ListStatus) => void
}

export interface StatusWatch {
  /** a new head with status lists, to check from the next re-check on */
  add (cid: string): void
  recheck (options?: AbortOptions): Promise<{ checked: number, changed: number }>
  /** re-checks every `intervalMs` from now on (0: never) */
  start (intervalMs: number): void
  stop (): void
}

export function createStatusWatch (components: StatusWatchComponents, init: StatusWatchInit): StatusWatch {
  const { store, status, log } = components
  /** heads with status lists to re-check; undefined until the first re-check has read them all */
  let watch: Set<string> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  return {
    start (intervalMs) {
      if (intervalMs <= 0) return
      timer = setInterval(() => {
        this.recheck().catch((err: Error) => { log.error('status list re-check failed: %e', err) })
      }, intervalMs)
      timer.unref()
    },
    stop () {
      clearInterval(timer)
    },
    add (cid) {
      watch?.add(cid)
    },
    async recheck (options = {}) {
      let checked = 0
      let changed = 0
      const candidates = watch != null ? [...watch] : [...store.heads()].map(([, head]) => head.cid)
      const next = watch ?? new Set<string>()
      for (let i = 0; i < candidates.length; i += 1000) {
        for (const record of await store.getVersions(candidates.slice(i, i + 1000))) {
          options.signal?.throwIfAborted()
          if (record == null) continue
          if (record.statusEntries == null || !['active', 'suspended'].includes(record.status)) {
            next.delete(record.cid)
            continue
          }
          next.add(record.cid)
          checked++
          let now
          try {
            now = await status.statusOf(record, options)
          } catch (err: any) {
            log('cannot check the status list of %s: %s', record.cid, err.message)
            continue
          }
          if (now === record.status) continue
          await store.setListStatus(record.cid, now)
          changed++
          if (now === 'revoked') next.delete(record.cid)
          init.onChange(record, now)
        }
      }
      watch = next
      return { checked, changed }
    }
  }
}
