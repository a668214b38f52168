/**
 * Per-pair latencies from a published measurement data set instead of one uniform range
 * (scenario `link.matrix`): each node is placed in one of the data set's regions, drawn from
 * the seed (the same in every process of a run), and a link's one-way latency is half the mean
 * of the round-trip times measured in the two directions between its ends' regions. The data
 * sets live in latency/, each with its source and licence.
 */
import { readFileSync } from 'node:fs'
import { linkDraw } from './link-latency-draw.ts'

export interface LatencyMatrix {
  name: string
  description: string
  source: string
  licence: string
  regions: Array<{ name: string, city: string }>
  /** round-trip times in ms, row: source region, column: destination; null where not measured (the diagonal) */
  rttMs: Array<Array<number | null>>
}

/** The data sets shipped in latency/, by name. */
export const LATENCY_MATRICES = ['azure-europe-2026-07'] as const

/** One-way latency between two nodes of the same region: the data sets measure between regions only. */
export const SAME_REGION_MS = 1

const loaded = new Map<string, LatencyMatrix>()

export function latencyMatrix (name: string): LatencyMatrix {
  let matrix = loaded.get(name)
  if (matrix == null) {
    if (!(LATENCY_MATRICES as readonly string[]).includes(name)) throw new TypeError(`no latency matrix "${name}" (shipped: ${LATENCY_MATRICES.join(', ')})`)
    matrix = JSON.parse(readFileSync(new URL(`./latency/${name}.json`, import.meta.url), 'utf8')) as LatencyMatrix
    loaded.set(name, matrix)
  }
  return matrix
}

/** The region (index into `regions`) a node is placed in. */
export function regionOf (seed: number, matrix: LatencyMatrix, node: number): number {
  return Math.floor(linkDraw(seed ^ 0x5bd1e995, node, node) * matrix.regions.length)
}

/** The one-way latency of the link between nodes `a` and `b`, in ms. */
export function matrixLatencyMs (seed: number, matrix: LatencyMatrix, a: number, b: number): number {
  const ra = regionOf(seed, matrix, a)
  const rb = regionOf(seed, matrix, b)
  if (ra === rb) return SAME_REGION_MS
  return ((matrix.rttMs[ra][rb] ?? 0) + (matrix.rttMs[rb][ra] ?? 0)) / 4
}
