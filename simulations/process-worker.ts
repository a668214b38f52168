/**
 * One process of a multi-process simulation: it runs its share of the nodes over TCP on
 * loopback and answers the coordinator (multi-process.ts) over the IPC channel.
 */
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import { seededRandom } from './generator.ts'
import { Harness } from './harness.ts'
import { startAttack } from './attackers.ts'
import type { AttackBehaviour, Scenario } from './scenario.ts'
import type { SimNode } from './harness.ts'
import type { GossipWireCounts } from '../node/network/gossip-wire-metrics.ts'

/** A node as the coordinator knows it: index, peer id, first address. */
export type NodeRef = [number, string, string]

export type ToWorker =
  | {
    type: 'start',
    count: number,
    firstIndex: number,
    seed: number,
    latencyMs: number,
    jitterMs: number,
    bandwidthKbps: number,
    loss: number,
    matrix?: string,
    bootstrap: string[],
    node: Scenario['node']
    /** the address its nodes listen on (its network namespace's); loopback when absent */
    listenHost?: string
    /** whether others can dial its nodes (a namespace behind NAT: private) */
    reachability?: 'public' | 'private'
    /** indexes of this process's nodes that attack, what they do and the credentials they forge from */
    attackers: number[],
    attack?: { behaviour: AttackBehaviour, ratePerSecond: number },
    credentials: string[]
  }
  | { type: 'peers', peers: Array<[string, number]> }
  | { type: 'mesh' }
  | { type: 'attack' }
  | { type: 'track', cid: string, publish: number }
  | { type: 'publish', node: number, jws: string }
  | { type: 'partition', groups: Array<[string, number]> }
  | { type: 'heal', candidates: NodeRef[] }
  | { type: 'crash', indexes: number[] }
  | { type: 'join', indexes: number[] }
  | { type: 'count-forged', entries: string[] }
  | { type: 'links' }
  | { type: 'stop' }

export type FromWorker =
  | { type: 'started', addrs: string[], peers: Array<[string, number]>, nodes: NodeRef[] }
  | { type: 'mesh', min: number }
  | { type: 'delivered', publish: number, node: number, at: number }
  | { type: 'published', node: number }
  | { type: 'done', of: 'partition' | 'heal' | 'crash' }
  | { type: 'joined', nodes: NodeRef[] }
  | { type: 'forged', entries: string[], stored: number }
  | { type: 'links', links: Array<[number, number[]]> }
  | { type: 'stopped', rssMb: number, nodes: Array<{ index: number, attacker: boolean, alive: boolean, peers: number, gossipBytes: number, duplicates: number, rejected: number, entries: number, wire: GossipWireCounts }> }
  | { type: 'error', message: string }

const send = (message: FromWorker): void => { process.send?.(message) }
let harness: Harness | undefined
const tracked = new Map<string, number>()
const forged = new Set<string>()
const stopAttacks: Array<() => void> = []
let attackPlan: { behaviour: AttackBehaviour, ratePerSecond: number, credentials: string[] } | undefined

function listen (sim: SimNode): void {
  sim.node.addEventListener('version:accepted', (event) => {
    const publish = tracked.get(event.detail.verified.cid)
    if (publish != null) send({ type: 'delivered', publish, node: sim.index, at: Date.now() })
  })
}

const refOf = (sim: SimNode): NodeRef => [sim.index, sim.peerId, sim.network.addrs()[0]]

// a coordinator that ended (killed, or stopped with Ctrl-C) leaves no process behind
process.on('disconnect', () => { process.exit(0) })

process.on('message', (message: ToWorker) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        harness = new Harness({
          random: seededRandom(message.seed * 1000 + message.firstIndex),
          linkSeed: message.seed, // every process draws the same latency for a link
          latencyMs: message.latencyMs,
          jitterMs: message.jitterMs,
          matrix: message.matrix,
          bandwidthKbps: message.bandwidthKbps,
          loss: message.loss,
          syncIntervalMs: message.node.syncIntervalMs,
          targetPeers: message.node.targetPeers,
          dht: message.node.dht,
          run: String(process.pid),
          transport: 'tcp',
          listenHost: message.listenHost,
          reachability: message.reachability,
          externalBootstrap: message.bootstrap,
          firstIndex: message.firstIndex
        })
        const attacking = new Set(message.attackers)
        await harness.addNodes(message.count, { attacker: k => attacking.has(message.firstIndex + k), onStarted: listen })
        attackPlan = message.attack == null ? undefined : { ...message.attack, credentials: message.credentials }
        send({ type: 'started', addrs: harness.nodes.flatMap(n => n.network.addrs().slice(0, 1)), peers: harness.nodes.map(n => [n.peerId, n.index]), nodes: harness.nodes.map(refOf) })
      } else if (message.type === 'attack') {
        const plan = attackPlan
        if (plan != null) {
          for (const sim of (harness?.nodes ?? []).filter(n => n.attacker && n.alive)) stopAttacks.push(startAttack(sim, plan.behaviour, plan.ratePerSecond, plan.credentials, entry => forged.add(entry)))
        }
      } else if (message.type === 'partition') {
        await harness?.applyPartition(new Map(message.groups))
        send({ type: 'done', of: 'partition' })
      } else if (message.type === 'heal') {
        await harness?.heal(message.candidates.map(([, peerId, addr]) => ({ peerId, addr })))
        send({ type: 'done', of: 'heal' })
      } else if (message.type === 'crash') {
        const victims = (harness?.nodes ?? []).filter(n => message.indexes.includes(n.index))
        await Promise.all(victims.map(async v => harness?.stopNode(v)))
        send({ type: 'done', of: 'crash' })
      } else if (message.type === 'join') {
        const joined: NodeRef[] = []
        for (const index of message.indexes) {
          const sim = await (harness as Harness).addNode(false, index)
          listen(sim)
          joined.push(refOf(sim))
        }
        send({ type: 'joined', nodes: joined })
      } else if (message.type === 'count-forged') {
        let stored = 0
        for (const sim of harness?.honest() ?? []) for (const entry of message.entries) if (sim.node.store.getHead(entry) != null) stored++
        send({ type: 'forged', entries: [...forged], stored })
      } else if (message.type === 'peers') {
        for (const [peer, index] of message.peers) harness?.indexOf.set(peer, index)
      } else if (message.type === 'mesh') {
        // as in one process: the honest nodes' meshes (attackers are pruned from meshes)
        const sizes = (harness?.honest() ?? []).map(n => (n.network.libp2p.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(CATALOGUE_TOPIC).length)
        send({ type: 'mesh', min: Math.min(...sizes) })
      } else if (message.type === 'links') {
        send({ type: 'links', links: [...(harness?.links() ?? [])] })
      } else if (message.type === 'track') {
        tracked.set(message.cid, message.publish)
      } else if (message.type === 'publish') {
        const sim = harness?.nodes.find(n => n.index === message.node)
        await sim?.node.publish(message.jws)
        send({ type: 'published', node: message.node })
      } else if (message.type === 'stop') {
        stopAttacks.forEach(stop => { stop() })
        const nodes = (harness?.nodes ?? []).map(n => ({ index: n.index, attacker: n.attacker, alive: n.alive, peers: n.alive ? n.network.libp2p.getPeers().length : 0, gossipBytes: n.gossipBytes, duplicates: n.network.counters.ignored, rejected: n.network.counters.rejected, entries: n.alive ? n.node.counts().entries : 0, wire: n.wire.counts() }))
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
