/**
 * Prometheus metrics of one node (prom-client), in a registry of its own so that many nodes
 * in one process (simulations) do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface NodeMetrics {
  registry: Registry
  ingests: Counter<'status' | 'source'>
  rejects: Counter<'reason' | 'source'>
  queryLatency: Histogram<'kind'>
  entries: Gauge
  revoked: Gauge
}

export function createNodeMetrics (options: { processMetrics?: boolean, counts?: () => { entries: number, revoked: number } } = {}): NodeMetrics {
  const registry = new Registry()
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'gxcat_' })
  return {
    registry,
    ingests: new Counter({ name: 'gxcat_ingests_total', help: 'self-descriptions and revocations taken, by outcome', labelNames: ['status', 'source'], registers: [registry] }),
    rejects: new Counter({ name: 'gxcat_rejects_total', help: 'inputs refused, by error name', labelNames: ['reason', 'source'], registers: [registry] }),
    queryLatency: new Histogram({
      name: 'gxcat_query_seconds',
      help: 'query latency',
      labelNames: ['kind'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry]
    }),
    entries: new Gauge({ name: 'gxcat_entries', help: 'active entries in the replica', registers: [registry], collect () { this.set(options.counts?.().entries ?? 0) } }),
    revoked: new Gauge({ name: 'gxcat_revoked_entries', help: 'revoked entries', registers: [registry], collect () { this.set(options.counts?.().revoked ?? 0) } })
  }
}
