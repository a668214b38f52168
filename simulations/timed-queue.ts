/**
 * Callbacks released at their instants, in the order they were queued, by one timer at a time:
 * the delivery queues of the link model (link-transport.ts) and of a node's core (cpu-model.ts).
 * Instants must not decrease from one push to the next.
 */
export interface TimedQueue {
  /** runs `run` at `at` (ms, performance.now()), at once if that has passed and nothing waits before it */
  push (at: number, run: () => void): void
}

export function createTimedQueue (): TimedQueue {
  const queue: Array<{ at: number, run: () => void }> = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const pump = (): void => {
    timer = undefined
    const now = performance.now()
    while (queue.length > 0 && queue[0].at <= now) queue.shift()?.run()
    if (queue.length > 0) timer = setTimeout(pump, queue[0].at - now)
  }
  return {
    push (at, run) {
      const now = performance.now()
      if (at <= now && queue.length === 0) {
        run()
        return
      }
      queue.push({ at, run })
      timer ??= setTimeout(pump, at - now)
    }
  }
}
