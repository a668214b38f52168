/**
 * What a node's network layer counts (gossip verdicts, messages published and throttled, DHT
 * puts), and the Prometheus gauges that show them with the connected peers.
 */
import { Gauge, type Registry } from 'prom-client'
import type { ValidatorCounters } from '../../protocols/gossip/index.ts'

export interface NetworkCounters extends ValidatorCounters {
  published: number
  /** gossip messages ignored because their peer was past its rate limit */
  throttled: number
  dhtPuts: number
  dhtPutFailures: number
}

export function createNetworkCounters (): NetworkCounters {
  return { accepted: 0, ignored: 0, rejected: 0, published: 0, throttled: 0, dhtPuts: 0, dhtPutFailures: 0 }
}

/** Registers the gauges in the node's registry: each reads the counters as it is collected. */
export function registerNetworkGauges (registry: Registry, counters: NetworkCounters, peers: () => number): void {
  // a gauge registers itself in the registry as it is made
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'gxcat_gossip_messages',
    help: 'gossip messages handled by the topic validator, by result (accepted, ignored, rejected), and published',
    labelNames: ['result'],
    registers: [registry],
    collect () {
      for (const result of ['accepted', 'ignored', 'rejected', 'published'] as const) this.set({ result }, counters[result])
    }
  })
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'gxcat_peers',
    help: 'connected peers',
    registers: [registry],
    collect () { this.set(peers()) }
  })
}
