/**
 * Many real gxcat nodes in one process: the same catalogue node and libp2p network code as a
 * participant runs, over the memory transport, with a latency for each link (pair of nodes)
 * drawn from the seed and a bandwidth, on every byte a node receives (link-transport.ts), and
 * a loss rate on gossip messages (partition-gater.ts), in-memory level stores, no HTTP and no SPARQL
 * store (simulated nodes are not queried), no DHT unless the scenario asks for it, no
 * connection pings and no debug loggers (see quiet-logger.ts), which keeps a node to a few MB
 * and a few ms of CPU a second.
 * Partitions are made by refusing connections between groups and hanging up the ones that cross.
 */
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { plaintext } from '@libp2p/plaintext'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryLevel } from 'memory-level'
import { createCatalogueNode, type CatalogueNode } from '../node/catalogue-node.ts'
import { seededRandom } from './generator.ts'
import { simulationLogger } from './quiet-logger.ts'
import { createCatalogueNetwork, type CatalogueNetwork } from '../node/network/catalogue-network.ts'
import { transportsFor } from '../node/network/libp2p.ts'
import { createGossipWireMetrics, type GossipWireMetrics } from '../node/network/gossip-wire-metrics.ts'
import { idealDeliveryMs } from './ideal-delivery.ts'
import { linkDraw, linkLatencyMs } from './link-latency.ts'
import { withLinkModel } from './link-transport.ts'
import type { Core } from './cpu-model.ts'
import { partitionGater, withGossipLoss } from './partition-gater.ts'
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import type { Database } from '../node/store/catalogue-store.ts'

/** Nodes started at once by addNodes. */
const NODE_START_BATCH = 25

export interface SimNode {
  index: number
  node: CatalogueNode
  network: CatalogueNetwork
  peerId: string
  alive: boolean
  attacker: boolean
  startedAt: number
  stoppedAt?: number
  /** application bytes received: gossip message data */
  gossipBytes: number
  /** what gossipsub counted on the wire: RPCs, bytes, messages, duplicates, control messages */
  wire: GossipWireMetrics
}

export interface HarnessInit {
  random: () => number
  latencyMs: number
  jitterMs: number
  /** a measured latency data set (latency-matrix.ts) in place of latencyMs */
  matrix?: string
  /** link bandwidth for every byte received, kilobits per second; 0 = unlimited */
  bandwidthKbps: number
  /** probability that a gossip message is lost on a link */
  loss: number
  run: string
  /** memory transport in one process (default), or TCP on loopback (multi-process runs) */
  transport?: 'memory' | 'tcp'
  /** the IPv4 address TCP nodes listen on. @default 127.0.0.1 */
  listenHost?: string
  /** whether others can dial these nodes (behind NAT: private). @default decided by the node (auto) */
  reachability?: 'public' | 'private'
  /** bootstrap peers outside this harness (other processes) */
  externalBootstrap?: string[]
  /** index of this harness's first node in the whole simulation */
  firstIndex?: number
  /** anti-entropy period of each node. @default 10 s */
  syncIntervalMs?: number
  /** peers each node keeps through peer exchange. @default 8 */
  targetPeers?: number
  /** run the Kademlia DHT on each node. @default false */
  dht?: boolean
  /**
   * virtual time (virtual-time.ts): node keys drawn from the seed, signatures and shapes checked
   * in this thread (worker threads run outside the simulated clock)
   */
  virtualTime?: boolean
  /** the core that processes what node i receives (cpu-model.ts): virtual time's CPU model */
  coreOf?: (node: number) => Core
  /** seed of the link latencies. @default drawn from `random` */
  linkSeed?: number
}

export class Harness {
  /** node indexes handed out so far (nodes of a batch start at once) */
  private allocated = 0
  readonly nodes: SimNode[] = []
  private readonly init: HarnessInit
  private groups: Map<string, number> | undefined
  /** node index of each peer id, here and in other processes (peers this harness has heard of) */
  readonly indexOf = new Map<string, number>()
  private readonly linkSeed: number

  constructor (init: HarnessInit) {
    this.init = init
    this.linkSeed = init.linkSeed ?? Math.floor(init.random() * 2 ** 31)
  }

  /** The latency of the link between two nodes, from the seed (link-latency.ts). */
  /** node `index`'s key seed: from the link seed and the index, so a node keeps its peer id from run to run */
  private keySeed (index: number): Uint8Array {
    const draw = seededRandom((this.linkSeed ^ Math.imul(index + 1, 0x9E3779B1)) >>> 0)
    return Uint8Array.from({ length: 32 }, () => Math.floor(draw() * 256))
  }

  linkLatencyMs (a: number, b: number): number {
    return linkLatencyMs(this.linkSeed, this.init, a, b)
  }

  alive (): SimNode[] {
    return this.nodes.filter(n => n.alive)
  }

  honest (): SimNode[] {
    return this.nodes.filter(n => n.alive && !n.attacker)
  }

  /**
   * Starts `count` nodes, NODE_START_BATCH at a time (a node spends most of its start waiting:
   * for its store, its listener, its first dials), each batch bootstrapped from the nodes
   * started before it; the first node of a network starts alone. `attacker(k)`: whether the
   * k-th of them attacks; `stop()`, checked between batches: start no more (a run over its
   * budget). Nodes stay in index order, whichever finished starting first.
   */
  async addNodes (count: number, options: { attacker?: (k: number) => boolean, onStarted?: (sim: SimNode) => void, stop?: () => boolean } = {}): Promise<SimNode[]> {
    const started: SimNode[] = []
    while (started.length < count && options.stop?.() !== true) {
      const alone = this.alive().length === 0 && (this.init.externalBootstrap ?? []).length === 0
      const size = Math.min(alone ? 1 : NODE_START_BATCH, count - started.length)
      const first = started.length
      // the calls start in order, so each draws from the seeded stream in order before its first await
      const batch = await Promise.all(Array.from({ length: size }, async (_, k) => this.addNode(options.attacker?.(first + k) ?? false)))
      this.nodes.sort((a, b) => a.index - b.index)
      for (const sim of batch) options.onStarted?.(sim)
      started.push(...batch)
    }
    return started
  }

  /** Starts one node, bootstrapped to three random live nodes (a single well-known one fills up). */
  async addNode (attacker = false, at?: number): Promise<SimNode> {
    const index = at ?? (this.init.firstIndex ?? 0) + this.allocated++
    const { random, latencyMs } = this.init
    // losses draw from a stream of their own, so that they do not shift the schedule
    const lossRandom = seededRandom(Math.floor(random() * 2 ** 31))
    // each incoming link draws its losses from a stream of its own, seeded by the link
    const linkLosses = new Map<number, () => number>()
    const lossOn = (from: string): () => number => {
      const peer = this.indexOf.get(from)
      if (peer == null) return lossRandom
      let stream = linkLosses.get(peer)
      if (stream == null) {
        stream = seededRandom(Math.floor(linkDraw(this.linkSeed ^ index, peer, index) * 2 ** 31) + 1)
        linkLosses.set(peer, stream)
      }
      return stream
    }
    const live = this.alive()
    const external = this.init.externalBootstrap ?? []
    const bootstrap = [...new Set([
      ...(live.length === 0 ? [] : [0, 1, 2].map(() => live[Math.floor(random() * live.length)]).flatMap(n => n.network.addrs())),
      ...(external.length === 0 ? [] : [external[Math.floor(random() * external.length)]])
    ])]
    const logger = simulationLogger()
    const node = createCatalogueNode({ db: new MemoryLevel<string, any>({ valueEncoding: 'json' }) as unknown as Database, sparql: false, logger, ...(this.init.virtualTime === true ? { shapesWorkers: 0 } : {}) })
    await node.start()
    let self = ''
    const wire = createGossipWireMetrics([CATALOGUE_TOPIC])
    const listen = [this.init.transport === 'tcp' ? `/ip4/${this.init.listenHost ?? '127.0.0.1'}/tcp/0` : `/memory/sim-${this.init.run}-${index}`]
    const network = await createCatalogueNetwork(node, {
      gossipWire: wire,
      privateKey: this.init.virtualTime === true ? await generateKeyPairFromSeed('Ed25519', this.keySeed(index)) : await generateKeyPair('Ed25519'),
      listen,
      bootstrap,
      ...(this.init.reachability != null ? { reachability: this.init.reachability } : {}),
      // latency and bandwidth on every byte received, in the transport
      transports: transportsFor(listen, bootstrap).map(factory => withLinkModel(factory, remote => {
        const peer = remote == null ? undefined : this.indexOf.get(remote)
        return { latencyMs: peer == null ? latencyMs : this.linkLatencyMs(index, peer), bandwidthKbps: this.init.bandwidthKbps }
      }, { core: this.init.coreOf?.(index), stampSendTimes: this.init.transport === 'tcp' })),
      // no one reads a simulated link: in virtual time, noise's ciphers would spend the
      // machine's time (a third of a large run's) for no effect on what the run measures
      ...(this.init.virtualTime === true ? { connectionEncrypters: [plaintext()] } : {}),
      logger,
      dht: this.init.dht === true,
      connectionMonitor: false,
      dhtPublish: false,
      maxConnections: 64,
      // every simulated node dials from the same host address: libp2p's per-host limits on
      // inbound connections (5 a second, 10 pending) would refuse most of a batch's dials
      inboundLimits: { perHostPerSecond: 1_000_000, pending: 1_000 },
      targetPeers: this.init.targetPeers ?? 8,
      querySelfInterval: 10 * 60_000,
      sync: { intervalMs: this.init.syncIntervalMs ?? 10_000 },
      connectionGater: partitionGater(peer => this.groups == null || this.groups.get(peer) === this.groups.get(self))
    })
    await network.start()
    // loss on gossip messages
    if (this.init.loss > 0) withGossipLoss(network.libp2p.services.pubsub, from => lossOn(from)() < this.init.loss)
    self = network.peerId()
    this.indexOf.set(self, index)
    const simNode: SimNode = { index, node, network, peerId: self, alive: true, attacker, startedAt: performance.now(), gossipBytes: 0, wire }
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
    await this.applyPartition(assignment)
    return assignment
  }

  /** A partition decided elsewhere (multi-process runs): peer id → group, for every node of the simulation. */
  async applyPartition (assignment: Map<string, number>): Promise<void> {
    this.groups = assignment
    await Promise.all(this.alive().map(async sim => Promise.all(sim.network.libp2p.getPeers()
      .filter(p => assignment.get(p.toString()) !== assignment.get(sim.peerId))
      .map(async p => sim.network.libp2p.hangUp(p).catch(() => {})))))
  }

  /**
   * Lifts the partition; each node dials one node of another group, as reconnecting peers
   * would: one of `candidates` (every live node of the simulation, in multi-process runs), or of
   * this harness's own nodes.
   */
  async heal (candidates?: Array<{ peerId: string, addr: string }>): Promise<void> {
    const groups = this.groups
    this.groups = undefined
    if (groups == null) return
    const everyone = candidates ?? this.alive().map(o => ({ peerId: o.peerId, addr: o.network.addrs()[0] }))
    await Promise.all(this.alive().map(async sim => {
      const others = everyone.filter(o => groups.get(o.peerId) !== groups.get(sim.peerId))
      if (others.length === 0) return
      const other = others[Math.floor(this.init.random() * others.length)]
      await sim.network.libp2p.dial(multiaddr(other.addr), { signal: AbortSignal.timeout(10_000) }).catch(() => {})
    }))
  }

  groupOf (sim: SimNode): number | undefined {
    return this.groups?.get(sim.peerId)
  }

  /** This harness's live nodes and the nodes (here or in other processes) each is connected to. */
  links (): Map<number, number[]> {
    return new Map(this.alive().map(s => [s.index, s.network.libp2p.getPeers().map(p => this.indexOf.get(p.toString())).filter((i): i is number => i != null)]))
  }

  /** The ideal delivery time of a message from this node (ideal-delivery.ts), over the current connections. */
  idealDeliveryMs (from: SimNode): number {
    return idealDeliveryMs(from.index, this.links(), (a, b) => this.linkLatencyMs(a, b))
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.alive().map(async sim => this.stopNode(sim)))
  }
}
