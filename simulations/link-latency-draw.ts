/**
 * The seeded draw behind every per-link and per-node choice of a simulation (latency, loss,
 * region): a pure function of the seed and the node indexes, so every process of a run agrees.
 */

/** A number in [0, 1) for an unordered pair of node indexes: the same link gets the same draw in every run of a seed. */
export function linkDraw (seed: number, a: number, b: number): number {
  const [lo, hi] = a < b ? [a, b] : [b, a]
  let h = (seed ^ Math.imul(lo + 1, 0x9e3779b1) ^ Math.imul(hi + 1, 0x85ebca77)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32
}
