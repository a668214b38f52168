/**
 * Runs a scenario on the harness: the schedule (who publishes when, partitions, joins,
 * crashes, churn, attackers) comes from the scenario and its seed alone, so the same seed
 * gives the same schedule; what it measures is delivery time to each node, delivery ratio,
 * duplicates, bytes per node, convergence time and RSS. A run that exceeds its time or
 * memory budget stops and still returns what it measured.
 */
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import { versionCidText } from '../protocols/self-description/identity.ts'
import { generateJws, seededRandom } from './generator.ts'
import { startAttack } from './attackers.ts'
import { allHold, coverageOf, settlePublishes, type Delivery, type Holders, type PublishRecord } from './deliveries.ts'
export type { Delivery, PublishRecord } from './deliveries.ts'
import { createEventTimeline, sleep } from './timeline.ts'
import { Harness, type SimNode } from './harness.ts'
import type { Scenario, ScenarioEvent } from './scenario.ts'
import type { GossipWireCounts } from '../node/network/gossip-wire-metrics.ts'
import { probeDht, type DhtProbeResult } from './dht-probe.ts'
import { installVirtualTime, receiveCost, VIRTUAL_COSTS, VIRTUAL_EPOCH } from './virtual-time.ts'
import { createCores, type CoreScheduling } from './cpu-model.ts'

export interface RunResult {
  scenario: Scenario
  status: 'complete' | 'time budget exceeded' | 'memory budget exceeded'
  startedAt: string
  durationMs: number
  publishes: PublishRecord[]
  deliveries: Delivery[]
  /** fraction of (published entry, live honest node) pairs delivered at the end */
  deliveryRatio: number
  coverage: Array<{ ms: number, fraction: number }>
  nodes: Array<{ index: number, attacker: boolean, peers: number, gossipBytes: number, syncBytes: number, duplicates: number, rejected: number, entries: number, alive: boolean, wire: GossipWireCounts }>
  convergence: Array<{ event: string, atMs: number, convergedMs?: number }>
  forgedStored: number
  /** forged messages the attackers sent */
  forgedSent: number
  /** the DHT's puts and gets, timed once the nodes converged (scenario dhtProbe) */
  dht?: DhtProbeResult
  rss: { peakMb: number, perNodeMb: number }
  /** how the nodes ran: one process (memory transport), K processes on loopback, or K network namespaces and what their kernels emulated */
  mode: RunMode
}

export type RunMode =
  | { name: 'one process' }
  | { name: 'virtual time', clock: 'discrete events (@sinonjs/fake-timers)', epoch: string, costs: typeof VIRTUAL_COSTS, cores: number, scheduling: CoreScheduling, wallMs: number }
  | { name: 'processes', processes: number }
  | { name: 'netns', processes: number, emulation: { kernel: string[], application: string[] }, nat?: { fraction: number, nodes: number, processes: number } }

export interface RunOptions {
  onProgress?: (done: number, total: number, phase: string) => void
  /** run without the scenario's attackers (the baseline of an attack scenario) */
  withoutAttackers?: boolean
  /** on a discrete-event clock (virtual-time.ts): the same seed gives the same results */
  virtualTime?: boolean
}

/** How long a run waits, after its last publish and event, for every live node to hold everything. */
const CONVERGENCE_TIMEOUT_MS = 120_000

async function waitUntil (check: () => boolean, timeoutMs: number, deadline: number): Promise<boolean> {
  const end = Math.min(Date.now() + timeoutMs, deadline)
  while (Date.now() < end) {
    if (check()) return true
    await sleep(25)
  }
  return check()
}

function syncBytesOf (text: string): number {
  let total = 0
  for (const match of text.matchAll(/gxcat_sync_bytes_total\{direction="received"\} (\d+)/g)) total += Number(match[1])
  return total
}

export async function runScenario (scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  if (options.virtualTime !== true) return runOnClock(scenario, options)
  // the machine's clock, read around the run: what the run took here, beside its virtual time
  const wallNow = performance.now.bind(performance)
  const wallStart = wallNow()
  // signed with WebCrypto, on libuv's pool: before the clock, which cannot wait for it
  const credentials = await generateJws(scenario.publish.count, { seed: scenario.seed })
  const clock = installVirtualTime({ seed: scenario.seed })
  try {
    const result = await clock.run(async () => runOnClock(scenario, options, credentials))
    return { ...result, mode: { name: 'virtual time', clock: 'discrete events (@sinonjs/fake-timers)', epoch: new Date(VIRTUAL_EPOCH).toISOString(), costs: VIRTUAL_COSTS, cores: scenario.cpu.cores, scheduling: scenario.cpu.scheduling, wallMs: Math.round(wallNow() - wallStart) } }
  } finally {
    clock.uninstall()
  }
}

async function runOnClock (scenario: Scenario, options: RunOptions, signed?: string[]): Promise<RunResult> {
  const random = seededRandom(scenario.seed)
  const startedAt = new Date().toISOString()
  const t0 = Date.now()
  const deadline = t0 + scenario.budget.maxMs
  const baselineRss = process.memoryUsage().rss
  let peakRss = baselineRss
  let status: RunResult['status'] = 'complete'
  const overBudget = (): boolean => {
    const rss = process.memoryUsage().rss
    peakRss = Math.max(peakRss, rss)
    if (rss / 2 ** 20 > scenario.budget.maxRssMb) status = 'memory budget exceeded'
    else if (Date.now() > deadline) status = 'time budget exceeded'
    return status !== 'complete'
  }
  // in virtual time what a node receives waits for its core (cpu-model.ts); on the machine's clock the machine is the CPU
  const coreOf = options.virtualTime === true ? createCores(scenario.cpu.cores, receiveCost(scenario.cpu.cores), scenario.cpu.scheduling) : undefined
  const harness = new Harness({ random, linkSeed: scenario.seed, virtualTime: options.virtualTime, ...(coreOf != null ? { coreOf } : {}), ...scenario.link, syncIntervalMs: scenario.node.syncIntervalMs, targetPeers: scenario.node.targetPeers, dht: scenario.node.dht, run: `${process.pid}-${t0}` })
  const attackers = options.withoutAttackers === true || scenario.attackers == null ? 0 : Math.round(scenario.nodes * scenario.attackers.fraction)
  const total = scenario.nodes + scenario.publish.count
  let done = 0
  const progress = (phase: string): void => { options.onProgress?.(done, total, phase) }

  // the schedule, all from the seed: credentials, which nodes attack, who publishes
  const credentials = signed ?? await generateJws(scenario.publish.count, { seed: scenario.seed })
  const attackerSlots = new Set<number>()
  while (attackerSlots.size < attackers) attackerSlots.add(1 + Math.floor(random() * (scenario.nodes - 1)))
  const publisherDraws = credentials.map(() => random())

  await harness.addNodes(scenario.nodes, {
    attacker: i => attackerSlots.has(i),
    onStarted: () => { done++; progress('starting nodes') },
    stop: overBudget
  })
  const meshTarget = Math.min(4, scenario.nodes - 1)
  await waitUntil(() => harness.honest().every(s => (s.network.libp2p.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(CATALOGUE_TOPIC).length >= meshTarget), 60_000, deadline)

  // measurement
  const cidIndex = new Map<string, number>()
  const published: PublishRecord[] = []
  const deliveries: Delivery[] = []
  const holders: Holders = new Map()
  const publishTimes = new Map<number, number>()
  const listen = (sim: SimNode): void => {
    sim.node.addEventListener('version:accepted', (event) => {
      const p = cidIndex.get(event.detail.verified.cid)
      if (p == null) return
      const at = publishTimes.get(p) as number
      holders.get(p)?.add(sim.index)
      if (!sim.attacker) deliveries.push({ publish: p, node: sim.index, ms: performance.now() - at })
    })
  }
  harness.nodes.forEach(listen)

  // attackers: flood forged (or stale) messages; withholding ones never forward
  const forgedEntries = new Set<string>()
  const stopAttacks = harness.nodes.filter(s => s.attacker && scenario.attackers != null)
    .map(sim => startAttack(sim, scenario.attackers?.behaviour ?? 'forge', scenario.attackers?.ratePerSecond ?? 5, credentials, entry => forgedEntries.add(entry)))

  const coverage: RunResult['coverage'] = []
  const convergence: RunResult['convergence'] = []
  const liveHonest = (): number[] => harness.honest().map(sim => sim.index)
  const sampleCoverage = (): void => {
    const fraction = coverageOf(liveHonest(), published, holders)
    if (fraction != null) coverage.push({ ms: Date.now() - t0, fraction })
  }
  const sampler = setInterval(() => { sampleCoverage(); overBudget() }, 250)

  /** One step of churn: a random honest node leaves (never node 0, everybody's bootstrap) and a new one joins. */
  const churnOnce = async (): Promise<void> => {
    const live = harness.honest().slice(1)
    if (live.length > 0) await harness.stopNode(live[Math.floor(random() * live.length)])
    listen(await harness.addNode())
  }

  const runEvent = async (event: ScenarioEvent, start: number): Promise<void> => {
    const atMs = Date.now() - t0
    if (event.type === 'partition') {
      await harness.partition(event.groups)
      convergence.push({ event: `partition into ${event.groups}`, atMs })
    } else if (event.type === 'heal') {
      await harness.heal()
      convergence.push({ event: 'heal', atMs })
    } else if (event.type === 'join') {
      for (let i = 0; i < event.nodes; i++) listen(await harness.addNode())
      convergence.push({ event: `join of ${event.nodes}`, atMs })
    } else if (event.type === 'crash') {
      const live = harness.honest().slice(1) // node 0 stays: it is everybody's bootstrap
      const victims = live.filter(() => random() < event.fraction)
      await Promise.all(victims.map(async v => harness.stopNode(v)))
      convergence.push({ event: `crash of ${victims.length}`, atMs })
    } else if (event.type === 'churn') {
      const period = 1000 / Math.max(0.01, event.ratePerSecond)
      for (let at = event.atMs; at < event.untilMs && !overBudget(); at += period) {
        const wait = start + at - Date.now()
        if (wait > 0) await sleep(wait)
        await churnOnce()
      }
      convergence.push({ event: `churn at ${event.ratePerSecond}/s`, atMs })
    }
  }

  // the timeline: publishes and events, in time order
  const start = Date.now()
  const timeline = createEventTimeline(scenario.events, start, runEvent)
  for (let i = 0; i < credentials.length && !overBudget(); i++) {
    const at = scenario.publish.startMs + i * scenario.publish.intervalMs
    await timeline.runDue(at)
    const wait = start + at - Date.now()
    if (wait > 0) await sleep(wait)
    const honest = harness.honest()
    const from = honest[Math.floor(publisherDraws[i] * honest.length)]
    const jws = credentials[i]
    const cid = versionCidText(jws)
    cidIndex.set(cid, i)
    holders.set(i, new Set())
    publishTimes.set(i, performance.now())
    published.push({ index: i, cid, from: from.index, atMs: Date.now() - t0, expected: 0, reached: 0, idealMs: harness.idealDeliveryMs(from) })
    await from.node.publish(jws)
    done++
    progress('publishing')
  }
  await timeline.finish()

  // convergence: every live honest node holds every published entry
  const converged = (): boolean => allHold(liveHonest(), published, holders)
  progress('converging')
  await waitUntil(() => converged() || overBudget(), CONVERGENCE_TIMEOUT_MS, deadline)
  if (process.env.GXCAT_SIM_DEBUG != null && !converged()) {
    for (const sim of harness.honest()) {
      const missing = published.filter(p => holders.get(p.index)?.has(sim.index) !== true).length
      if (missing > 0) console.error(`node ${sim.index}: missing ${missing}, peers ${sim.network.libp2p.getPeers().length}, mesh ${(sim.network.libp2p.services.pubsub as any)?.getMeshPeers(CATALOGUE_TOPIC).length}, entries ${sim.node.counts().entries}`)
    }
  }
  const convergedAt = Date.now() - t0
  for (const c of convergence) if (converged()) c.convergedMs = convergedAt - c.atMs
  sampleCoverage()
  clearInterval(sampler)
  stopAttacks.forEach(stop => { stop() })

  let dht: DhtProbeResult | undefined
  if (scenario.dhtProbe != null && !overBudget()) {
    // churn while the DHT is probed: a node leaves and a new one joins, at the probe's rate
    const churning = { on: scenario.dhtProbe.churnPerSecond > 0, left: 0 }
    const churn = (async () => {
      const period = 1000 / Math.max(0.01, scenario.dhtProbe?.churnPerSecond ?? 0)
      while (churning.on && !overBudget()) {
        await sleep(period)
        if (!churning.on) break
        await churnOnce()
        churning.left++
      }
    })()
    dht = await probeDht(() => harness.honest(), credentials, scenario.dhtProbe, seededRandom(scenario.seed + 1))
    churning.on = false
    await churn
    dht.churned = churning.left
  }

  // what was measured
  const honest = harness.honest()
  settlePublishes(published, honest.map(sim => sim.index), holders, deliveries)
  const pairs = published.length * honest.length
  const delivered = published.reduce((n, p) => n + p.reached, 0)
  let forgedStored = 0
  for (const sim of honest) for (const entry of forgedEntries) if (sim.node.store.getHead(entry) != null) forgedStored++
  const nodes = await Promise.all(harness.nodes.map(async sim => {
    const counters = sim.network.counters
    return {
      index: sim.index,
      attacker: sim.attacker,
      peers: sim.alive ? sim.network.libp2p.getPeers().length : 0,
      gossipBytes: sim.gossipBytes,
      syncBytes: syncBytesOf(await sim.node.metrics.registry.metrics()),
      duplicates: counters.ignored,
      rejected: counters.rejected,
      entries: sim.alive ? sim.node.counts().entries : 0,
      alive: sim.alive,
      wire: sim.wire.counts()
    }
  }))
  const rssNow = process.memoryUsage().rss
  peakRss = Math.max(peakRss, rssNow)
  const result: RunResult = {
    scenario,
    status,
    startedAt,
    durationMs: Date.now() - t0,
    publishes: published,
    deliveries,
    deliveryRatio: pairs === 0 ? 1 : delivered / pairs,
    coverage,
    nodes,
    convergence,
    forgedStored,
    forgedSent: forgedEntries.size,
    ...(dht != null ? { dht } : {}),
    rss: { peakMb: peakRss / 2 ** 20, perNodeMb: (peakRss - baselineRss) / 2 ** 20 / Math.max(1, harness.nodes.length) },
    mode: { name: 'one process' }
  }
  await harness.stopAll()
  return result
}
