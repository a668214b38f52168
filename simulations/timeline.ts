/**
 * A scenario's events in time order, beside its publishes: each event runs when its time has
 * come; a churn event runs on in the background while the rest goes on. Shared by the
 * one-process and multi-process runs.
 */
import type { ScenarioEvent } from './scenario.ts'

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

export interface EventTimeline {
  /** Runs every event due at or before `upToMs` after the start, waiting for each one's time. */
  runDue (upToMs: number): Promise<void>
  /** Runs the remaining events and waits for background ones (churn) to end. */
  finish (): Promise<void>
}

export function createEventTimeline (events: readonly ScenarioEvent[], start: number, runEvent: (event: ScenarioEvent, start: number) => Promise<void>): EventTimeline {
  const background: Array<Promise<void>> = []
  let next = 0
  const runDue = async (upToMs: number): Promise<void> => {
    while (next < events.length && events[next].atMs <= upToMs) {
      const event = events[next++]
      const wait = start + event.atMs - Date.now()
      if (wait > 0) await sleep(wait)
      if (event.type === 'churn') background.push(runEvent(event, start))
      else await runEvent(event, start)
    }
  }
  return {
    runDue,
    async finish () {
      await runDue(Number.MAX_SAFE_INTEGER)
      await Promise.all(background)
    }
  }
}
