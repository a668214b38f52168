/**
 * The multi-process mode: the nodes of a scenario spread over K processes that talk TCP on
 * loopback (or, with `netns`, each process in its own network namespace), to check that what
 * one process measured holds when nodes do not share an event loop. It runs a whole scenario:
 * the publish schedule (the same credentials and publishers as the in-process run for the same
 * seed), attackers, and events (partition, heal, join, crash, churn), decided here and carried
 * out by the processes that hold the nodes concerned.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { versionCidText } from '../protocols/self-description/identity.ts'
import { generateJws, seededRandom } from './generator.ts'
import { ScenarioError, type Scenario, type ScenarioEvent } from './scenario.ts'
import type { FromWorker, NodeRef, ToWorker } from './process-worker.ts'
import { createEventTimeline, sleep } from './timeline.ts'
import { allHold, coverageOf, settlePublishes, type Holders } from './deliveries.ts'
import { idealDeliveryMs } from './ideal-delivery.ts'
import { linkLatencyMs } from './link-latency.ts'
import { createNetnsLab } from './netns.ts'
import type { Delivery, PublishRecord, RunResult } from './run-scenario.ts'

const WORKER = fileURLToPath(new URL('./process-worker.ts', import.meta.url))

class Worker {
  readonly child: ChildProcess
  private readonly waiting: Array<{ type: string, resolve: (m: any) => void }> = []
  onDelivered?: (m: Extract<FromWorker, { type: 'delivered' }>) => void

  constructor (options: { execPath?: string, execArgv?: string[] } = {}) {
    this.child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], ...options })
    this.child.on('message', (message: FromWorker) => {
      if (message.type === 'delivered') { this.onDelivered?.(message); return }
      if (message.type === 'error') { process.stderr.write(`simulation process ${this.child.pid}: ${message.message}\n`); return }
      const i = this.waiting.findIndex(w => w.type === message.type)
      if (i !== -1) this.waiting.splice(i, 1)[0].resolve(message)
    })
  }

  async ask<T extends FromWorker['type']> (message: ToWorker, answer: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise(resolve => {
      this.waiting.push({ type: answer, resolve })
      this.child.send(message)
    })
  }

  tell (message: ToWorker): void {
    this.child.send(message)
  }
}

interface Member {
  index: number
  peerId: string
  addr: string
  worker: number
  attacker: boolean
  alive: boolean
}

export interface MultiProcessOptions {
  onProgress?: (done: number, total: number, phase: string) => void
  /** each process in its own network namespace (netns.ts): real kernel TCP stacks between them */
  netns?: boolean
  /**
   * with `netns`: this fraction of the nodes sits behind NAT, in processes whose namespace is
   * behind a masquerading router; those nodes run as operators would run them there
   * (`reachability: private`: DHT client, no address announced), the others `public`
   */
  nat?: number
}

/** How many nodes, in how many processes, sit behind NAT. */
function natPlan (nodes: number, processes: number, options: MultiProcessOptions): { nodes: number, processes: number } {
  if (options.nat == null || options.nat === 0) return { nodes: 0, processes: 0 }
  if (options.netns !== true) throw new ScenarioError('--nat needs --netns: the routers are network namespaces')
  if (!(options.nat > 0 && options.nat < 1)) throw new ScenarioError('--nat must be a fraction of the nodes, above 0 and below 1')
  const natNodes = Math.round(nodes * options.nat)
  const natProcesses = Math.min(processes - 1, Math.max(1, Math.round(processes * options.nat)))
  if (natNodes < natProcesses || nodes - natNodes < processes - natProcesses) throw new ScenarioError(`--nat ${options.nat} of ${nodes} nodes leaves a process with no node: use more nodes or fewer processes`)
  return { nodes: natNodes, processes: natProcesses }
}

export async function runMultiProcess (scenario: Scenario, processes: number, options: MultiProcessOptions = {}): Promise<RunResult> {
  const { onProgress } = options
  if (processes < 2 || processes > scenario.nodes) throw new ScenarioError(`--processes must be from 2 to the number of nodes (${scenario.nodes})`)
  if (scenario.dhtProbe != null) throw new ScenarioError('dhtProbe runs in one process only for now: run it without --processes')
  const t0 = Date.now()
  const startedAt = new Date().toISOString()
  const deadline = t0 + scenario.budget.maxMs
  const random = seededRandom(scenario.seed)
  // the schedule, drawn in the same order as in one process: credentials, attackers, publishers
  const credentials = await generateJws(scenario.publish.count, { seed: scenario.seed })
  const attackerCount = scenario.attackers == null ? 0 : Math.round(scenario.nodes * scenario.attackers.fraction)
  const attackerSlots = new Set<number>()
  while (attackerSlots.size < attackerCount) attackerSlots.add(1 + Math.floor(random() * (scenario.nodes - 1)))
  const publisherDraws = credentials.map(() => random())
  const nat = natPlan(scenario.nodes, processes, options)
  const split = (total: number, parts: number, k: number): number => Math.floor(total / parts) + (k < total % parts ? 1 : 0)
  // the last processes hold the nodes behind NAT; process 0, everybody's bootstrap, is public
  const share = (k: number): number => k < processes - nat.processes ? split(scenario.nodes - nat.nodes, processes - nat.processes, k) : split(nat.nodes, nat.processes, k - (processes - nat.processes))
  const behindNat = (k: number): boolean => k >= processes - nat.processes
  const lab = options.netns === true ? await createNetnsLab(processes, scenario.link, share, behindNat) : undefined
  const link = lab?.applicationLink ?? scenario.link
  const workers = Array.from({ length: processes }, (_, k) => new Worker(lab?.forkOptions(k)))
  const firstIndex = (k: number): number => Array.from({ length: k }, (_, j) => share(j)).reduce((a, b) => a + b, 0)
  const members: Member[] = []
  const attack = scenario.attackers == null ? undefined : { behaviour: scenario.attackers.behaviour, ratePerSecond: scenario.attackers.ratePerSecond }
  const startMessage = (k: number, bootstrap: string[]): ToWorker => {
    const first = firstIndex(k)
    const attackers = [...attackerSlots].filter(i => i >= first && i < first + share(k))
    return { type: 'start', count: share(k), firstIndex: first, seed: scenario.seed, ...link, listenHost: lab?.addresses[k], ...(nat.nodes > 0 ? { reachability: behindNat(k) ? 'private' : 'public' } : {}), node: scenario.node, bootstrap, attackers, attack, credentials }
  }
  const addMembers = (k: number, nodes: NodeRef[]): void => {
    for (const [index, peerId, addr] of nodes) members.push({ index, peerId, addr, worker: k, attacker: attackerSlots.has(index), alive: true })
    members.sort((a, b) => a.index - b.index)
  }
  const honest = (): Member[] => members.filter(m => m.alive && !m.attacker)
  try {
    onProgress?.(0, scenario.publish.count, 'starting processes')
    const first = await workers[0].ask(startMessage(0, []), 'started')
    const others = await Promise.all(workers.slice(1).map(async (w, j) => w.ask(startMessage(j + 1, first.addrs), 'started')))
    ;[first, ...others].forEach((started, k) => { addMembers(k, started.nodes) })
    const shareIndexes = (): void => {
      // every process learns every node's index, so that a link has one latency whichever process draws it
      const peers = members.map(m => [m.peerId, m.index] as [string, number])
      for (const w of workers) w.tell({ type: 'peers', peers })
    }
    shareIndexes()
    const meshTarget = Math.min(4, scenario.nodes - 1)
    for (let tries = 0; tries < 240; tries++) {
      const mins = await Promise.all(workers.map(async w => (await w.ask({ type: 'mesh' }, 'mesh')).min))
      if (Math.min(...mins) >= meshTarget) break
      await sleep(250)
    }

    for (const w of workers) w.tell({ type: 'attack' })
    const deliveries: Delivery[] = []
    const holders: Holders = new Map()
    const publishedAt = new Map<number, number>()
    for (const w of workers) {
      w.onDelivered = m => {
        holders.get(m.publish)?.add(m.node)
        if (!attackerSlots.has(m.node)) deliveries.push({ publish: m.publish, node: m.node, ms: m.at - (publishedAt.get(m.publish) as number) })
      }
    }
    const publishes: PublishRecord[] = []
    const coverage: RunResult['coverage'] = []
    const convergence: RunResult['convergence'] = []
    const liveHonest = (): number[] => honest().map(m => m.index)
    const sampleCoverage = (): void => {
      const fraction = coverageOf(liveHonest(), publishes, holders)
      if (fraction != null) coverage.push({ ms: Date.now() - t0, fraction })
    }
    const sampler = setInterval(sampleCoverage, 250)
    let nextIndex = scenario.nodes
    const join = async (count: number): Promise<void> => {
      const indexes = Array.from({ length: count }, () => nextIndex++)
      const byWorker = new Map<number, number[]>()
      indexes.forEach((index, i) => { byWorker.set(i % processes, [...(byWorker.get(i % processes) ?? []), index]) })
      await Promise.all([...byWorker].map(async ([k, list]) => { addMembers(k, (await workers[k].ask({ type: 'join', indexes: list }, 'joined')).nodes) }))
      shareIndexes()
    }
    const crash = async (victims: Member[]): Promise<void> => {
      for (const v of victims) v.alive = false
      await Promise.all(workers.map(async (w, k) => w.ask({ type: 'crash', indexes: victims.filter(v => v.worker === k).map(v => v.index) }, 'done')))
    }
    const runEvent = async (event: ScenarioEvent, start: number): Promise<void> => {
      const atMs = Date.now() - t0
      if (event.type === 'partition') {
        const groups = members.filter(m => m.alive).map(m => [m.peerId, Math.floor(random() * event.groups)] as [string, number])
        await Promise.all(workers.map(async w => w.ask({ type: 'partition', groups }, 'done')))
        convergence.push({ event: `partition into ${event.groups}`, atMs })
      } else if (event.type === 'heal') {
        const candidates = members.filter(m => m.alive && m.addr != null).map(m => [m.index, m.peerId, m.addr] as NodeRef)
        await Promise.all(workers.map(async w => w.ask({ type: 'heal', candidates }, 'done')))
        convergence.push({ event: 'heal', atMs })
      } else if (event.type === 'join') {
        await join(event.nodes)
        convergence.push({ event: `join of ${event.nodes}`, atMs })
      } else if (event.type === 'crash') {
        const victims = honest().slice(1).filter(() => random() < event.fraction) // node 0 stays: it is everybody's bootstrap
        await crash(victims)
        convergence.push({ event: `crash of ${victims.length}`, atMs })
      } else if (event.type === 'churn') {
        const period = 1000 / Math.max(0.01, event.ratePerSecond)
        for (let at = event.atMs; at < event.untilMs && Date.now() < deadline; at += period) {
          const wait = start + at - Date.now()
          if (wait > 0) await sleep(wait)
          const live = honest().slice(1)
          if (live.length > 0) await crash([live[Math.floor(random() * live.length)]])
          await join(1)
        }
        convergence.push({ event: `churn at ${event.ratePerSecond}/s`, atMs })
      }
    }

    // the timeline: publishes and events, in time order
    const start = Date.now()
    const timeline = createEventTimeline(scenario.events, start, runEvent)
    for (let i = 0; i < credentials.length && Date.now() < deadline; i++) {
      const at = scenario.publish.startMs + i * scenario.publish.intervalMs
      await timeline.runDue(at)
      const wait = start + at - Date.now()
      if (wait > 0) await sleep(wait)
      const live = honest()
      const from = live[Math.floor(publisherDraws[i] * live.length)]
      const cid = versionCidText(credentials[i])
      // the ideal, as in one process: shortest paths over the connections of the moment, all processes' together
      const links = new Map((await Promise.all(workers.map(async w => (await w.ask({ type: 'links' }, 'links')).links))).flat())
      const idealMs = idealDeliveryMs(from.index, links, (a, b) => linkLatencyMs(scenario.seed, scenario.link, a, b))
      holders.set(i, new Set())
      for (const w of workers) w.tell({ type: 'track', cid, publish: i })
      publishedAt.set(i, Date.now())
      publishes.push({ index: i, cid, from: from.index, atMs: Date.now() - t0, expected: 0, reached: 0, idealMs })
      await workers[from.worker].ask({ type: 'publish', node: from.index, jws: credentials[i] }, 'published')
      onProgress?.(i + 1, scenario.publish.count, 'publishing')
    }
    await timeline.finish()

    onProgress?.(scenario.publish.count, scenario.publish.count, 'converging')
    const converged = (): boolean => allHold(liveHonest(), publishes, holders)
    const convergeBy = Math.min(deadline, Date.now() + 120_000)
    while (!converged() && Date.now() < convergeBy) await sleep(100)
    clearInterval(sampler)
    const convergedAt = Date.now() - t0
    const done = converged()
    for (const c of convergence) if (done) c.convergedMs = convergedAt - c.atMs
    sampleCoverage()
    const live = honest()
    settlePublishes(publishes, live.map(m => m.index), holders, deliveries)
    const forgedByWorker = await Promise.all(workers.map(async w => w.ask({ type: 'count-forged', entries: [] }, 'forged')))
    const forgedEntries = forgedByWorker.flatMap(f => f.entries)
    const forgedStored = (await Promise.all(workers.map(async w => w.ask({ type: 'count-forged', entries: forgedEntries }, 'forged')))).reduce((n, f) => n + f.stored, 0)
    const stopped = await Promise.all(workers.map(async w => w.ask({ type: 'stop' }, 'stopped')))
    const rssTotal = stopped.reduce((n, s) => n + s.rssMb, 0)
    return {
      scenario,
      status: done ? 'complete' : 'time budget exceeded',
      startedAt,
      durationMs: Date.now() - t0,
      publishes,
      deliveries,
      deliveryRatio: publishes.reduce((n, p) => n + p.reached, 0) / Math.max(1, publishes.length * live.length),
      coverage,
      nodes: stopped.flatMap(s => s.nodes.map(n => ({ ...n, syncBytes: 0 }))).sort((a, b) => a.index - b.index),
      convergence,
      forgedStored,
      forgedSent: forgedEntries.length,
      rss: { peakMb: rssTotal, perNodeMb: rssTotal / members.length },
      mode: lab != null ? { name: 'netns', processes, emulation: lab.emulation, ...(nat.nodes > 0 ? { nat: { fraction: nat.nodes / scenario.nodes, nodes: nat.nodes, processes: nat.processes } } : {}) } : { name: 'processes', processes }
    }
  } finally {
    for (const w of workers) if (w.child.exitCode == null) w.child.kill()
    if (lab != null) {
      await Promise.all(workers.map(async w => w.child.exitCode == null && w.child.signalCode == null ? new Promise(resolve => w.child.once('exit', resolve)) : undefined))
      await lab.close()
    }
  }
}
