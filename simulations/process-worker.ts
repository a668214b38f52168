/**
 * One process of a multi-process simulation: it runs its share of the nodes over TCP on
 * loopback and answers the coordinator (multi-process.ts) over the IPC channel.
 */
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import { seededRandom } from './generator.ts'
import { Harness } from './harness.ts'
import type { Scenario } from './scenario.ts'

export type ToWorker =
  | { type: 'start', count: number, firstIndex: number, seed: number, latencyMs: number, jitterMs: number, bandwidthKbps: number, loss: number, bootstrap: string[], node: Scenario['node'] }
  | { type: 'peers', peers: Array<[string, number]> }
  | { type: 'mesh' }
  | { type: 'track', cid: string, publish: number }
  | { type: 'publish', node: number, jws: string }
  | { type: 'stop' }

export type FromWorker =
  | { type: 'started', addrs: string[], peers: Array<[string, number]> }
  | { type: 'mesh', min: number }
  | { type: 'delivered', publish: number, node: number, at: number }
  | { type: 'published', node: number }
  | { type: 'stopped', rssMb: number, nodes: Array<{ index: number, peers: number, gossipBytes: number, duplicates: number, rejected: number, entries: number }> }
  | { type: 'error', message: string }

const send = (message: FromWorker): void => { process.send?.(message) }
let harness: Harness | undefined
const tracked = new Map<string, number>()

process.on('message', (message: ToWorker) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        harness = new Harness({
          random: seededRandom(message.seed * 1000 + message.firstIndex),
          linkSeed: message.seed, // every process draws the same latency for a link
          latencyMs: message.latencyMs,
          jitterMs: message.jitterMs,
          bandwidthKbps: message.bandwidthKbps,
          loss: message.loss,
          syncIntervalMs: message.node.syncIntervalMs,
          targetPeers: message.node.targetPeers,
          dht: message.node.dht,
          run: String(process.pid),
          transport: 'tcp',
          externalBootstrap: message.bootstrap,
          firstIndex: message.firstIndex
        })
        for (let i = 0; i < message.count; i++) {
          const sim = await harness.addNode()
          sim.node.addEventListener('version:accepted', (event) => {
            const publish = tracked.get(event.detail.verified.cid)
            if (publish != null) send({ type: 'delivered', publish, node: sim.index, at: Date.now() })
          })
        }
        send({ type: 'started', addrs: harness.nodes.map(n => n.network.addrs()[0]), peers: harness.nodes.map(n => [n.peerId, n.index]) })
      } else if (message.type === 'peers') {
        for (const [peer, index] of message.peers) harness?.indexOf.set(peer, index)
      } else if (message.type === 'mesh') {
        const sizes = (harness?.nodes ?? []).map(n => (n.network.libp2p.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(CATALOGUE_TOPIC).length)
        send({ type: 'mesh', min: Math.min(...sizes) })
      } else if (message.type === 'track') {
        tracked.set(message.cid, message.publish)
      } else if (message.type === 'publish') {
        const sim = harness?.nodes.find(n => n.index === message.node)
        await sim?.node.publish(message.jws)
        send({ type: 'published', node: message.node })
      } else if (message.type === 'stop') {
        const nodes = (harness?.nodes ?? []).map(n => ({ index: n.index, peers: n.network.libp2p.getPeers().length, gossipBytes: n.gossipBytes, duplicates: n.network.counters.ignored, rejected: n.network.counters.rejected, entries: n.node.counts().entries }))
        const rssMb = process.memoryUsage().rss / 2 ** 20
        await harness?.stopAll()
        send({ type: 'stopped', rssMb, nodes })
        setTimeout(() => process.exit(0), 100)
      }
    } catch (err: any) {
      send({ type: 'error', message: `${err.name}: ${err.message}` })
    }
  })()
})
