/**
 * The multi-process mode: the nodes of a scenario spread over K processes that talk TCP on
 * loopback, to check that what one process measured holds when nodes do not share an event
 * loop. It runs the publish schedule of a scenario (the same publishers and credentials as
 * the in-process run for the same seed); events and attackers are in-process only for now.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { versionCid } from '../protocols/self-description/identity.ts'
import { generateJws, seededRandom } from './generator.ts'
import { ScenarioError, type Scenario } from './scenario.ts'
import type { FromWorker, ToWorker } from './process-worker.ts'
import type { Delivery, PublishRecord, RunResult } from './run-scenario.ts'

const WORKER = fileURLToPath(new URL('./process-worker.ts', import.meta.url))

class Worker {
  readonly child: ChildProcess
  private readonly waiting: Array<{ type: string, resolve: (m: any) => void }> = []
  onDelivered?: (m: Extract<FromWorker, { type: 'delivered' }>) => void

  constructor () {
    this.child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
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

export async function runMultiProcess (scenario: Scenario, processes: number, onProgress?: (done: number, total: number, phase: string) => void): Promise<RunResult> {
  if (scenario.events.length > 0 || scenario.attackers != null) throw new ScenarioError('the multi-process mode runs a scenario\'s publish schedule only: drop its events and attackers, or run it in one process')
  if (processes < 2 || processes > scenario.nodes) throw new ScenarioError(`--processes must be from 2 to the number of nodes (${scenario.nodes})`)
  const t0 = Date.now()
  const startedAt = new Date().toISOString()
  const random = seededRandom(scenario.seed)
  const credentials = await generateJws(scenario.publish.count, { seed: scenario.seed })
  const publisherDraws = credentials.map(() => random())
  const workers = Array.from({ length: processes }, () => new Worker())
  const share = (k: number): number => Math.floor(scenario.nodes / processes) + (k < scenario.nodes % processes ? 1 : 0)
  const firstIndex = (k: number): number => Array.from({ length: k }, (_, j) => share(j)).reduce((a, b) => a + b, 0)
  try {
    onProgress?.(0, scenario.publish.count, 'starting processes')
    const first = await workers[0].ask({ type: 'start', count: share(0), firstIndex: 0, seed: scenario.seed, ...scenario.link, node: scenario.node, bootstrap: [] }, 'started')
    const others = await Promise.all(workers.slice(1).map(async (w, j) => w.ask({ type: 'start', count: share(j + 1), firstIndex: firstIndex(j + 1), seed: scenario.seed, ...scenario.link, node: scenario.node, bootstrap: first.addrs }, 'started')))
    // every process learns every node's index, so that a link has one latency whichever process draws it
    const peers = [first, ...others].flatMap(started => started.peers)
    for (const w of workers) w.tell({ type: 'peers', peers })
    const meshTarget = Math.min(4, scenario.nodes - 1)
    for (let tries = 0; tries < 240; tries++) {
      const mins = await Promise.all(workers.map(async w => (await w.ask({ type: 'mesh' }, 'mesh')).min))
      if (Math.min(...mins) >= meshTarget) break
      await new Promise(resolve => setTimeout(resolve, 250))
    }

    const deliveries: Delivery[] = []
    const publishedAt = new Map<number, number>()
    for (const w of workers) w.onDelivered = m => { deliveries.push({ publish: m.publish, node: m.node, ms: m.at - (publishedAt.get(m.publish) as number) }) }
    const publishes: PublishRecord[] = []
    const start = Date.now()
    for (let i = 0; i < credentials.length; i++) {
      const wait = start + scenario.publish.startMs + i * scenario.publish.intervalMs - Date.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      const node = Math.floor(publisherDraws[i] * scenario.nodes)
      const owner = workers.findIndex((_, k) => node >= firstIndex(k) && node < firstIndex(k) + share(k))
      const cid = versionCid(credentials[i]).toString()
      for (const w of workers) w.tell({ type: 'track', cid, publish: i })
      publishedAt.set(i, Date.now())
      publishes.push({ index: i, cid, from: node, atMs: Date.now() - t0, expected: scenario.nodes, reached: 0, idealMs: NaN })
      await workers[owner].ask({ type: 'publish', node, jws: credentials[i] }, 'published')
      onProgress?.(i + 1, scenario.publish.count, 'publishing')
    }
    onProgress?.(scenario.publish.count, scenario.publish.count, 'converging')
    const reachedAll = (): boolean => publishes.every(p => new Set(deliveries.filter(d => d.publish === p.index).map(d => d.node)).size === scenario.nodes)
    const deadline = Date.now() + Math.min(120_000, scenario.budget.maxMs)
    while (!reachedAll() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
    for (const p of publishes) {
      const times = deliveries.filter(d => d.publish === p.index)
      p.reached = new Set(times.map(d => d.node)).size
      if (p.reached === scenario.nodes) p.allMs = Math.max(...times.map(d => d.ms))
    }
    const stopped = await Promise.all(workers.map(async w => w.ask({ type: 'stop' }, 'stopped')))
    const rssTotal = stopped.reduce((n, s) => n + s.rssMb, 0)
    return {
      scenario,
      status: reachedAll() ? 'complete' : 'time budget exceeded',
      startedAt,
      durationMs: Date.now() - t0,
      publishes,
      deliveries,
      deliveryRatio: publishes.reduce((n, p) => n + p.reached, 0) / Math.max(1, publishes.length * scenario.nodes),
      coverage: [],
      nodes: stopped.flatMap(s => s.nodes.map(n => ({ ...n, attacker: false, syncBytes: 0, alive: true }))),
      convergence: [],
      forgedStored: 0,
      forgedSent: 0,
      rss: { peakMb: rssTotal, perNodeMb: rssTotal / scenario.nodes }
    }
  } finally {
    for (const w of workers) if (w.child.exitCode == null) w.child.kill()
  }
}
