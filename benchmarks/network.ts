/**
 * `npm run bench -- network`: how long until all N nodes hold a new entry (p50/p99 over 100
 * publishes from random nodes), for N = 10 and 50 real nodes on the memory transport with a
 * set link latency (each gossip message held that long on receipt: the memory transport's own
 * latency serialises buffers), printed next to the ideal for the topology (the publisher's
 * eccentricity in hops × link latency) and the ratio.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryLevel } from 'memory-level'
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import { createCatalogueNode, type CatalogueNode } from '../node/catalogue-node.ts'
import { withGossipDelay } from '../simulations/partition-gater.ts'
import { createCatalogueNetwork, type CatalogueNetwork } from '../node/network/catalogue-network.ts'
import { seededRandom, generateJws } from '../simulations/generator.ts'
import type { Database } from '../node/store/catalogue-store.ts'
import { percentile } from './raw-verify.ts'

const LATENCY_MS = Number(process.env.BENCH_LATENCY ?? 20)
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 100)

interface Member { node: CatalogueNode, network: CatalogueNetwork }

async function waitUntil (check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return check()
}

/** Hops from `from` to the farthest node over the connection graph. */
function eccentricity (members: Member[], from: number): number {
  const index = new Map(members.map((m, i) => [m.network.peerId(), i]))
  const distance = new Array(members.length).fill(Infinity)
  distance[from] = 0
  const queue = [from]
  while (queue.length > 0) {
    const at = queue.shift() as number
    for (const peer of members[at].network.libp2p.getPeers()) {
      const j = index.get(peer.toString())
      if (j != null && distance[j] === Infinity) { distance[j] = distance[at] + 1; queue.push(j) }
    }
  }
  return Math.max(...distance)
}

async function run (n: number): Promise<void> {
  const members: Member[] = []
  let bootstrap: string[] = []
  for (let i = 0; i < n; i++) {
    const node = createCatalogueNode({ db: new MemoryLevel<string, any>({ valueEncoding: 'json' }) as unknown as Database, rdfWorker: false })
    await node.start()
    const network = await createCatalogueNetwork(node, { privateKey: await generateKeyPair('Ed25519'), listen: [`/memory/bench-${n}-${i}`], bootstrap, dhtPublish: false })
    await network.start()
    // each gossip message arrives LATENCY_MS after it is received
    withGossipDelay(network.libp2p.services.pubsub, LATENCY_MS)
    if (i === 0) bootstrap = network.addrs()
    members.push({ node, network })
  }
  await waitUntil(() => members.every(m => (m.network.libp2p.services.pubsub?.getSubscribers(CATALOGUE_TOPIC).length ?? 0) >= Math.min(6, n - 1)), 60_000)
  // let gossipsub heartbeats settle the mesh: every node in a mesh of at least Dlo (4) peers
  const meshed = await waitUntil(() => members.every(m => {
    const pubsub = m.network.libp2p.services.pubsub as unknown as { getMeshPeers: (topic: string) => string[] }
    return pubsub.getMeshPeers(CATALOGUE_TOPIC).length >= Math.min(4, n - 1)
  }), 60_000)
  if (!meshed) console.log('  (some nodes still had fewer than 4 mesh peers after 60 s)')

  const credentials = await generateJws(PUBLISHES, { seed: 1000 + n })
  const random = seededRandom(n)
  const times: number[] = []
  const ratios: number[] = []
  let incomplete = 0
  for (const jws of credentials) {
    const from = Math.floor(random() * n)
    const holders = new Set<number>()
    let started = 0
    let last = 0
    const listeners = members.map((m, i) => {
      const listener = (): void => { holders.add(i); last = performance.now() }
      m.node.addEventListener('version:accepted', listener)
      return listener
    })
    started = performance.now()
    await members[from].node.publish(jws)
    const complete = await waitUntil(() => holders.size === n, 10_000)
    members.forEach((m, i) => { m.node.removeEventListener('version:accepted', listeners[i]) })
    if (!complete) { incomplete++; continue }
    const elapsed = last - started
    const ideal = eccentricity(members, from) * LATENCY_MS
    times.push(elapsed)
    ratios.push(elapsed / ideal)
  }
  times.sort((a, b) => a - b)
  ratios.sort((a, b) => a - b)
  const hops = members.map((_, i) => eccentricity(members, i))
  const meanHops = hops.reduce((a, b) => a + b, 0) / n
  const degree = members.reduce((a, m) => a + m.network.libp2p.getPeers().length, 0) / n
  console.log(`  N = ${String(n).padStart(3)}: all nodes hold a new entry after p50 ${times.length > 0 ? percentile(times, 50).toFixed(0) : '–'} ms, p99 ${times.length > 0 ? percentile(times, 99).toFixed(0) : '–'} ms` +
    ` | ideal ${(meanHops * LATENCY_MS).toFixed(0)} ms (mean eccentricity ${meanHops.toFixed(1)} hops × ${LATENCY_MS} ms) | ratio p50 ${percentile(ratios, 50).toFixed(2)}, p99 ${percentile(ratios, 99).toFixed(2)}` +
    ` | mean degree ${degree.toFixed(1)} | ${times.length}/${PUBLISHES} complete${incomplete > 0 ? `, ${incomplete} not within 10 s` : ''}`)
  await Promise.all(members.map(async m => { await m.network.stop(); await m.node.stop() }))
}

export async function networkBenchmark (): Promise<void> {
  console.log(`network: gossip propagation on the memory transport, ${LATENCY_MS} ms per link, ${PUBLISHES} publishes`)
  for (const n of [10, 50]) await run(n)
}
