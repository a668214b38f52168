/**
 * What the node held over time, for the web page's network view: its counts of entries,
 * revocations and peers, sampled every STATUS_HISTORY_INTERVAL_MS and kept for the last
 * STATUS_HISTORY_POINTS samples (a day), in memory. A restart starts it again.
 */
import { STATUS_HISTORY_INTERVAL_MS, STATUS_HISTORY_POINTS } from '../constants.ts'

export interface StatusPoint {
  /** ms since the epoch */
  at: number
  entries: number
  revoked: number
  peers: number
}

export interface StatusHistory {
  start (): void
  stop (): void
  /** the samples, oldest first, with one taken now at the end */
  points (): StatusPoint[]
  readonly intervalMs: number
}

export interface StatusHistoryInit {
  sample: () => Omit<StatusPoint, 'at'>
  /** @default STATUS_HISTORY_INTERVAL_MS */
  intervalMs?: number
  /** @default STATUS_HISTORY_POINTS */
  maxPoints?: number
}

export function createStatusHistory (init: StatusHistoryInit): StatusHistory {
  const intervalMs = init.intervalMs ?? STATUS_HISTORY_INTERVAL_MS
  const maxPoints = init.maxPoints ?? STATUS_HISTORY_POINTS
  const kept: StatusPoint[] = []
  let timer: ReturnType<typeof setInterval> | undefined
  const take = (): StatusPoint => ({ at: Date.now(), ...init.sample() })
  return {
    intervalMs,
    start () {
      if (timer != null) return
      kept.push(take())
      timer = setInterval(() => {
        kept.push(take())
        if (kept.length > maxPoints) kept.splice(0, kept.length - maxPoints)
      }, intervalMs)
      timer.unref()
    },
    stop () {
      clearInterval(timer)
      timer = undefined
    },
    points () {
      return [...kept, take()]
    }
  }
}
