/**
 * Each link's latency, drawn from the scenario's seed and the pair of node indexes: the same
 * for a link whichever end asks, in every process of a run and in every run of a seed.
 */
import { linkDraw } from './link-latency-draw.ts'
import { latencyMatrix, matrixLatencyMs } from './latency-matrix.ts'

export { linkDraw }

/**
 * The latency of the link between two nodes, from the seed: latencyMs, or the latency between
 * their regions in a measured matrix (latency-matrix.ts), ± jitterMs; the same in every process.
 */
export function linkLatencyMs (seed: number, link: { latencyMs: number, jitterMs: number, matrix?: string }, a: number, b: number): number {
  const base = link.matrix != null ? matrixLatencyMs(seed, latencyMatrix(link.matrix), a, b) : link.latencyMs
  return Math.max(0, base + (linkDraw(seed, a, b) * 2 - 1) * link.jitterMs)
}
