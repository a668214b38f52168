/**
 * Group commit: work submitted while a batch is being written waits and goes into the next
 * one, so many concurrent publishes cost one atomic store write. Items are decided in the
 * order they were submitted.
 */

interface Pending<T, R> {
  item: T
  resolve: (result: R) => void
  reject: (err: Error) => void
}

export interface WriteQueue<T, R> {
  submit (item: T): Promise<R>
  /** resolves once everything submitted so far is written */
  idle (): Promise<void>
}

/** `commit` decides and writes a batch atomically, returning one result per item (or throws for all). */
export function createWriteQueue<T, R> (commit: (items: T[]) => Promise<R[]>, maxBatch: number): WriteQueue<T, R> {
  let pending: Array<Pending<T, R>> = []
  let running: Promise<void> | undefined

  async function drain (): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch)
      pending = pending.slice(batch.length)
      try {
        const results = await commit(batch.map(p => p.item))
        batch.forEach((p, i) => { p.resolve(results[i]) })
      } catch (err: any) {
        for (const p of batch) p.reject(err)
      }
    }
    running = undefined
  }

  return {
    async submit (item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject })
        // start on the next tick so that items submitted in the same tick share a batch
        running ??= new Promise<void>(resolve => setImmediate(resolve)).then(drain)
      })
    },
    async idle (): Promise<void> {
      while (running != null) await running
    }
  }
}
