/**
 * What a run measures about deliveries, the same in one process and over several: which live
 * honest nodes hold each published entry (`holders`: publish index → node indexes), coverage,
 * convergence, and each publish's reach and time until the last node held it.
 */
export interface Delivery { publish: number, node: number, ms: number }

export interface PublishRecord {
  index: number
  cid: string
  from: number
  atMs: number
  /** live honest nodes when it was published, and how many of them it reached */
  expected: number
  reached: number
  /** time until the last of them held it */
  allMs?: number
  idealMs: number
}

export type Holders = Map<number, Set<number>>

/** The fraction of (published entry, live node) pairs delivered; undefined before anything is. */
export function coverageOf (live: readonly number[], publishes: readonly PublishRecord[], holders: Holders): number | undefined {
  if (publishes.length === 0 || live.length === 0) return undefined
  let have = 0
  for (const node of live) for (const p of publishes) if (holders.get(p.index)?.has(node) === true) have++
  return have / (live.length * publishes.length)
}

/** Whether every live node holds every published entry. */
export function allHold (live: readonly number[], publishes: readonly PublishRecord[], holders: Holders): boolean {
  return live.every(node => publishes.every(p => holders.get(p.index)?.has(node) === true))
}

/** Fills in each publish's expected, reached and allMs from the deliveries to the live nodes. */
export function settlePublishes (publishes: PublishRecord[], live: readonly number[], holders: Holders, deliveries: readonly Delivery[]): void {
  const timesOf = new Map<number, Map<number, number>>()
  for (const d of deliveries) {
    let times = timesOf.get(d.publish)
    if (times == null) timesOf.set(d.publish, times = new Map())
    times.set(d.node, Math.max(d.ms, times.get(d.node) ?? -Infinity))
  }
  for (const p of publishes) {
    const reached = live.filter(node => holders.get(p.index)?.has(node) === true)
    p.expected = live.length
    p.reached = reached.length
    const times = reached.map(node => timesOf.get(p.index)?.get(node)).filter((ms): ms is number => ms != null)
    if (reached.length === live.length && times.length > 0) p.allMs = Math.max(...times)
  }
}
