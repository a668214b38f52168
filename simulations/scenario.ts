/**
 * Scenario files: what a simulation runs, written by a researcher without code (JSON). Every
 * field is checked before anything starts; a bad one is a ScenarioError that names it.
 *
 * {
 *   "name": "partition",
 *   "nodes": 100,                              how many nodes start at the beginning
 *   "seed": 1,
 *   "link": { "latencyMs": 20, "jitterMs": 5,  per-link latency, drawn from the seed for each pair,
 *             "bandwidthKbps": 0, "loss": 0,    bandwidth (0 = unlimited) and message loss on each link
 *             "matrix": "azure-europe-2026-07" } or latencies between measured regions (latency-matrix.ts) instead of latencyMs
 *   "node": { "syncIntervalMs": 10000,          how each simulated node runs: anti-entropy period,
 *             "targetPeers": 8, "dht": false }  peers kept through peer exchange, the Kademlia DHT
 *   "cpu": { "cores": 0,                        virtual time only: each node on a core of its own (0),
 *                                               or all nodes sharing so many cores (cpu-model.ts),
 *            "scheduling": "fair" },            a core shared among connections ("fair") or chunk after chunk ("fifo")
 *   "publish": { "count": 100, "intervalMs": 100, "startMs": 0 },
 *   "events": [                                 at a time (ms after the start of publishing)
 *     { "atMs": 0, "type": "partition", "groups": 2 },
 *     { "atMs": 5000, "type": "heal" },
 *     { "atMs": 1000, "type": "join", "nodes": 10 },
 *     { "atMs": 1000, "type": "crash", "fraction": 0.1 },
 *     { "atMs": 1000, "type": "churn", "ratePerSecond": 0.5, "untilMs": 10000 }
 *   ],
 *   "attackers": { "fraction": 0.1, "behaviour": "forge" | "stale" | "withhold", "ratePerSecond": 5 },
 *   "dhtProbe": { "puts": 20, "gets": 100,      once converged: DHT puts and gets timed (needs node.dht; one process),
 *                 "parallel": 1,               so many at a time,
 *                 "churnPerSecond": 0 },       while a node leaves and a new one joins this often
 *   "budget": { "maxMs": 300000, "maxRssMb": 20000 }
 * }
 */

import { LATENCY_MATRICES } from './latency-matrix.ts'
import { CORE_SCHEDULINGS, type CoreScheduling } from './cpu-model.ts'

export class ScenarioError extends Error {
  static name = 'ScenarioError'
  name = 'ScenarioError'
}

export type ScenarioEvent =
  | { atMs: number, type: 'partition', groups: number }
  | { atMs: number, type: 'heal' }
  | { atMs: number, type: 'join', nodes: number }
  | { atMs: number, type: 'crash', fraction: number }
  | { atMs: number, type: 'churn', ratePerSecond: number, untilMs: number }

export type AttackBehaviour = 'forge' | 'stale' | 'withhold'

export interface Scenario {
  name: string
  nodes: number
  seed: number
  link: { latencyMs: number, jitterMs: number, bandwidthKbps: number, loss: number, matrix?: string }
  node: { syncIntervalMs: number, targetPeers: number, dht: boolean }
  cpu: { cores: number, scheduling: CoreScheduling }
  publish: { count: number, intervalMs: number, startMs: number }
  events: ScenarioEvent[]
  attackers?: { fraction: number, behaviour: AttackBehaviour, ratePerSecond: number }
  dhtProbe?: { puts: number, gets: number, parallel: number, churnPerSecond: number }
  budget: { maxMs: number, maxRssMb: number }
}

type Obj = Record<string, unknown>

function object (value: unknown, field: string): Obj {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new ScenarioError(`${field} must be an object`)
  return value as Obj
}

function number (o: Obj, key: string, field: string, options: { min?: number, max?: number, integer?: boolean, default?: number } = {}): number {
  const value = o[key] ?? options.default
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ScenarioError(`${field}.${key} must be a number${options.default == null ? ' (required)' : ''}`)
  if (options.integer === true && !Number.isInteger(value)) throw new ScenarioError(`${field}.${key} must be an integer`)
  if (options.min != null && value < options.min) throw new ScenarioError(`${field}.${key} must be ≥ ${options.min}`)
  if (options.max != null && value > options.max) throw new ScenarioError(`${field}.${key} must be ≤ ${options.max}`)
  return value
}

function only (o: Obj, keys: string[], field: string): void {
  for (const key of Object.keys(o)) if (!keys.includes(key)) throw new ScenarioError(`${field}.${key} is not a scenario field (known: ${keys.join(', ')})`)
}

export function parseScenario (value: unknown, source = 'scenario'): Scenario {
  const o = object(value, source)
  only(o, ['name', 'description', 'nodes', 'seed', 'link', 'node', 'cpu', 'publish', 'events', 'attackers', 'dhtProbe', 'budget'], source)
  if (typeof o.name !== 'string' || o.name === '') throw new ScenarioError(`${source}.name must be a non-empty string`)
  const link = object(o.link ?? {}, `${source}.link`)
  const nodeSettings = object(o.node ?? {}, `${source}.node`)
  only(nodeSettings, ['syncIntervalMs', 'targetPeers', 'dht'], `${source}.node`)
  if (nodeSettings.dht != null && typeof nodeSettings.dht !== 'boolean') throw new ScenarioError(`${source}.node.dht must be true or false`)
  only(link, ['latencyMs', 'jitterMs', 'bandwidthKbps', 'loss', 'matrix'], `${source}.link`)
  if (link.matrix != null && !(LATENCY_MATRICES as readonly unknown[]).includes(link.matrix)) throw new ScenarioError(`${source}.link.matrix must be one of the shipped latency data sets: ${LATENCY_MATRICES.join(', ')}`)
  if (link.matrix != null && link.latencyMs != null) throw new ScenarioError(`${source}.link: give latencyMs or matrix, not both`)
  const cpu = object(o.cpu ?? {}, `${source}.cpu`)
  only(cpu, ['cores', 'scheduling'], `${source}.cpu`)
  if (cpu.scheduling != null && !(CORE_SCHEDULINGS as readonly unknown[]).includes(cpu.scheduling)) throw new ScenarioError(`${source}.cpu.scheduling must be one of ${CORE_SCHEDULINGS.join(', ')}`)
  const publish = object(o.publish ?? {}, `${source}.publish`)
  only(publish, ['count', 'intervalMs', 'startMs'], `${source}.publish`)
  const budget = object(o.budget ?? {}, `${source}.budget`)
  only(budget, ['maxMs', 'maxRssMb'], `${source}.budget`)
  if (o.events != null && !Array.isArray(o.events)) throw new ScenarioError(`${source}.events must be a list`)
  const events = ((o.events ?? []) as unknown[]).map((e, i): ScenarioEvent => {
    const field = `${source}.events[${i}]`
    const ev = object(e, field)
    const atMs = number(ev, 'atMs', field, { min: 0 })
    switch (ev.type) {
      case 'partition': only(ev, ['atMs', 'type', 'groups'], field); return { atMs, type: 'partition', groups: number(ev, 'groups', field, { min: 2, max: 16, integer: true, default: 2 }) }
      case 'heal': only(ev, ['atMs', 'type'], field); return { atMs, type: 'heal' }
      case 'join': only(ev, ['atMs', 'type', 'nodes'], field); return { atMs, type: 'join', nodes: number(ev, 'nodes', field, { min: 1, integer: true }) }
      case 'crash': only(ev, ['atMs', 'type', 'fraction'], field); return { atMs, type: 'crash', fraction: number(ev, 'fraction', field, { min: 0, max: 1 }) }
      case 'churn': only(ev, ['atMs', 'type', 'ratePerSecond', 'untilMs'], field); return { atMs, type: 'churn', ratePerSecond: number(ev, 'ratePerSecond', field, { min: 0 }), untilMs: number(ev, 'untilMs', field, { min: atMs }) }
      default: throw new ScenarioError(`${field}.type must be partition, heal, join, crash or churn, not ${JSON.stringify(ev.type)}`)
    }
  }).sort((a, b) => a.atMs - b.atMs)
  let attackers: Scenario['attackers']
  if (o.attackers != null) {
    const a = object(o.attackers, `${source}.attackers`)
    only(a, ['fraction', 'behaviour', 'ratePerSecond'], `${source}.attackers`)
    if (!['forge', 'stale', 'withhold'].includes(a.behaviour as string)) throw new ScenarioError(`${source}.attackers.behaviour must be forge, stale or withhold`)
    attackers = { fraction: number(a, 'fraction', `${source}.attackers`, { min: 0, max: 0.9 }), behaviour: a.behaviour as AttackBehaviour, ratePerSecond: number(a, 'ratePerSecond', `${source}.attackers`, { min: 0, default: 5 }) }
  }
  let dhtProbe: Scenario['dhtProbe']
  if (o.dhtProbe != null) {
    const d = object(o.dhtProbe, `${source}.dhtProbe`)
    only(d, ['puts', 'gets', 'parallel', 'churnPerSecond'], `${source}.dhtProbe`)
    if (nodeSettings.dht !== true) throw new ScenarioError(`${source}.dhtProbe needs ${source}.node.dht: true`)
    dhtProbe = {
      puts: number(d, 'puts', `${source}.dhtProbe`, { min: 1, integer: true, default: 20 }),
      gets: number(d, 'gets', `${source}.dhtProbe`, { min: 0, integer: true, default: 100 }),
      parallel: number(d, 'parallel', `${source}.dhtProbe`, { min: 1, max: 100, integer: true, default: 1 }),
      churnPerSecond: number(d, 'churnPerSecond', `${source}.dhtProbe`, { min: 0, max: 100, default: 0 })
    }
  }
  return {
    name: o.name,
    nodes: number(o, 'nodes', source, { min: 2, max: 20_000, integer: true }),
    seed: number(o, 'seed', source, { integer: true, default: 1 }),
    link: {
      latencyMs: number(link, 'latencyMs', `${source}.link`, { min: 0, default: 20 }),
      jitterMs: number(link, 'jitterMs', `${source}.link`, { min: 0, default: 0 }),
      bandwidthKbps: number(link, 'bandwidthKbps', `${source}.link`, { min: 0, default: 0 }),
      loss: number(link, 'loss', `${source}.link`, { min: 0, max: 0.9, default: 0 }),
      ...(link.matrix != null ? { matrix: link.matrix as string } : {})
    },
    node: {
      syncIntervalMs: number(nodeSettings, 'syncIntervalMs', `${source}.node`, { min: 100, default: 10_000 }),
      targetPeers: number(nodeSettings, 'targetPeers', `${source}.node`, { min: 1, integer: true, default: 8 }),
      dht: nodeSettings.dht === true
    },
    cpu: { cores: number(cpu, 'cores', `${source}.cpu`, { min: 0, integer: true, default: 0 }), scheduling: (cpu.scheduling ?? 'fair') as CoreScheduling },
    publish: {
      count: number(publish, 'count', `${source}.publish`, { min: 0, integer: true, default: 100 }),
      intervalMs: number(publish, 'intervalMs', `${source}.publish`, { min: 0, default: 100 }),
      startMs: number(publish, 'startMs', `${source}.publish`, { min: 0, default: 0 })
    },
    events,
    attackers,
    ...(dhtProbe != null ? { dhtProbe } : {}),
    budget: { maxMs: number(budget, 'maxMs', `${source}.budget`, { min: 1000, default: 600_000 }), maxRssMb: number(budget, 'maxRssMb', `${source}.budget`, { min: 64, default: 20_000 }) }
  }
}
