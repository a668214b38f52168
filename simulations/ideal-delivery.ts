/**
 * The ideal delivery time of a message: the longest of the shortest paths (sums of link
 * latencies, Dijkstra) from its publisher to every node it can reach over the connections of
 * the moment. What the time until all nodes hold an entry is compared with, in one process and
 * across processes alike.
 */

/** Each live node's connected peers, by node index. */
export type Adjacency = ReadonlyMap<number, readonly number[]>

export function idealDeliveryMs (from: number, adjacency: Adjacency, latencyMs: (a: number, b: number) => number): number {
  const distance = new Map<number, number>([[from, 0]])
  const done = new Set<number>()
  for (;;) {
    let at: number | undefined
    let best = Infinity
    for (const [index, d] of distance) {
      if (!done.has(index) && d < best) { best = d; at = index }
    }
    if (at == null) break
    done.add(at)
    for (const next of adjacency.get(at) ?? []) {
      if (done.has(next) || !adjacency.has(next)) continue
      const d = best + latencyMs(at, next)
      if (d < (distance.get(next) ?? Infinity)) distance.set(next, d)
    }
  }
  return Math.max(...distance.values())
}
