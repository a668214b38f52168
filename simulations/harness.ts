/**
 * Many real gxcat nodes in one process: the same catalogue node and libp2p network code as a
 * participant runs, over the memory transport, with a per-node latency drawn from a seeded
 * generator, with bandwidth and loss (applied to each gossip message on receipt: see
 * simulatedLink), in-memory level stores, no HTTP and no SPARQL store (simulated nodes are not
 * queried), which keeps a node to a few MB. Partitions are made by refusing connections
 * between groups and hanging up the ones that cross.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryLevel } from 'memory-level'
import { createCatalogueNode, type CatalogueNode } from '../node/catalogue-node.ts'
import { seededRandom } from './generator.ts'
import { createCatalogueNetwork, type CatalogueNetwork } from '../node/network/catalogue-network.ts'
import type { Database } from '../node/store/catalogue-store.ts'

export interface SimNode {
  index: number
  node: CatalogueNode
  network: CatalogueNetwork
  peerId: string
  alive: boolean
  attacker: boolean
  latencyMs: number
  startedAt: number
  stoppedAt?: number
  /** application bytes received: gossip message data */
  gossipBytes: number
}

export interface HarnessInit {
  random: () => number
  latencyMs: number
  jitterMs: number
  /** link bandwidth for gossip messages, kilobits per second; 0 = unlimited */
  bandwidthKbps: number
  /** probability that a gossip message is lost on a link */
  loss: number
  run: string
  /** memory transport in one process (default), or TCP on loopback (multi-process runs) */
  transport?: 'memory' | 'tcp'
  /** bootstrap peers outside this harness (other processes) */
  externalBootstrap?: string[]
  /** index of this harness's first node in the whole simulation */
  firstIndex?: number
}

export class Harness {
  readonly nodes: SimNode[] = []
  private readonly init: HarnessInit
  private groups: Map<string, number> | undefined

  constructor (init: HarnessInit) {
    this.init = init
  }

  alive (): SimNode[] {
    return this.nodes.filter(n => n.alive)
  }

  honest (): SimNode[] {
    return this.nodes.filter(n => n.alive && !n.attacker)
  }

  /** Starts one node, bootstrapped to three random live nodes (a single well-known one fills up). */
  async addNode (attacker = false): Promise<SimNode> {
    const index = (this.init.firstIndex ?? 0) + this.nodes.length
    const { random, latencyMs, jitterMs } = this.init
    const latency = Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs)
    // losses draw from a stream of their own, so that they do not shift the schedule
    const lossRandom = seededRandom(Math.floor(random() * 2 ** 31))
    const live = this.alive()
    const external = this.init.externalBootstrap ?? []
    const bootstrap = [...new Set([
      ...(live.length === 0 ? [] : [0, 1, 2].map(() => live[Math.floor(random() * live.length)]).flatMap(n => n.network.addrs())),
      ...(external.length === 0 ? [] : [external[Math.floor(random() * external.length)]])
    ])]
    const node = createCatalogueNode({ db: new MemoryLevel<string, any>({ valueEncoding: 'json' }) as unknown as Database, sparql: false })
    await node.start()
    let self = ''
    const network = await createCatalogueNetwork(node, {
      privateKey: await generateKeyPair('Ed25519'),
      listen: [this.init.transport === 'tcp' ? '/ip4/127.0.0.1/tcp/0' : `/memory/sim-${this.init.run}-${index}`],
      bootstrap,
      simulatedLink: {
        delayMs: bytes => latency + (this.init.bandwidthKbps > 0 ? bytes * 8 / this.init.bandwidthKbps : 0),
        lost: () => this.init.loss > 0 && lossRandom() < this.init.loss
      },
      dhtPublish: false,
      maxConnections: 64,
      targetPeers: 8,
      querySelfInterval: 10 * 60_000,
      sync: { intervalMs: 10_000 },
      allowPeer: peer => this.groups == null || this.groups.get(peer) === this.groups.get(self)
    })
    await network.start()
    self = network.peerId()
    const simNode: SimNode = { index, node, network, peerId: self, alive: true, attacker, latencyMs: latency, startedAt: performance.now(), gossipBytes: 0 }
    network.libp2p.services.pubsub?.addEventListener('gossipsub:message', (event) => { simNode.gossipBytes += event.detail.msg.data.length })
    this.nodes.push(simNode)
    return simNode
  }

  async stopNode (sim: SimNode): Promise<void> {
    if (!sim.alive) return
    sim.alive = false
    sim.stoppedAt = performance.now()
    await sim.network.stop().catch(() => {})
    await sim.node.stop().catch(() => {})
  }

  /** Splits the live nodes into groups at random; connections between groups are cut and refused. */
  async partition (groups: number): Promise<Map<string, number>> {
    const assignment = new Map<string, number>()
    for (const sim of this.alive()) assignment.set(sim.peerId, Math.floor(this.init.random() * groups))
    this.groups = assignment
    await Promise.all(this.alive().map(async sim => Promise.all(sim.network.libp2p.getPeers()
      .filter(p => assignment.get(p.toString()) !== assignment.get(sim.peerId))
      .map(async p => sim.network.libp2p.hangUp(p).catch(() => {})))))
    return assignment
  }

  /** Lifts the partition; each node dials one node of another group, as reconnecting peers would. */
  async heal (): Promise<void> {
    const groups = this.groups
    this.groups = undefined
    if (groups == null) return
    const live = this.alive()
    await Promise.all(live.map(async sim => {
      const others = live.filter(o => groups.get(o.peerId) !== groups.get(sim.peerId))
      if (others.length === 0) return
      const other = others[Math.floor(this.init.random() * others.length)]
      await sim.network.libp2p.dial(multiaddr(other.network.addrs()[0]), { signal: AbortSignal.timeout(10_000) }).catch(() => {})
    }))
  }

  groupOf (sim: SimNode): number | undefined {
    return this.groups?.get(sim.peerId)
  }

  /** Hops from one node to the farthest live node over the connection graph. */
  eccentricity (from: SimNode): number {
    const index = new Map(this.alive().map(s => [s.peerId, s]))
    const distance = new Map<string, number>([[from.peerId, 0]])
    const queue = [from]
    while (queue.length > 0) {
      const at = queue.shift() as SimNode
      for (const peer of at.network.libp2p.getPeers()) {
        const next = index.get(peer.toString())
        if (next != null && !distance.has(next.peerId)) {
          distance.set(next.peerId, (distance.get(at.peerId) as number) + 1)
          queue.push(next)
        }
      }
    }
    return Math.max(...distance.values())
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.alive().map(async sim => this.stopNode(sim)))
  }
}
