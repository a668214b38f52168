/**
 * Each link's latency, drawn from the scenario's seed and the pair of node indexes: the same
 * for a link whichever end asks, in every process of a run and in every run of a seed.
 */

/** A number in [0, 1) for an unordered pair of node indexes: the same link gets the same draw in every run of a seed. */
export function linkDraw (seed: number, a: number, b: number): number {
  const [lo, hi] = a < b ? [a, b] : [b, a]
  let h = (seed ^ Math.imul(lo + 1, 0x9e3779b1) ^ Math.imul(hi + 1, 0x85ebca77)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32
}

/** The latency of the link between two nodes, from the seed: latencyMs ± jitterMs, the same in every process. */
export function linkLatencyMs (seed: number, link: { latencyMs: number, jitterMs: number }, a: number, b: number): number {
  return Math.max(0, link.latencyMs + (linkDraw(seed, a, b) * 2 - 1) * link.jitterMs)
}
