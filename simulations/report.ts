/**
 * What a run leaves behind: results.json (with seed, versions and machine), CSV files, a
 * summary table, and SVG charts drawn with Vega-Lite (delivery-time CDF, coverage over time,
 * bytes per node).
 */
import { cpus, totalmem, platform, release } from 'node:os'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as vega from 'vega'
import * as vl from 'vega-lite'
import pkg from '../package.json' with { type: 'json' }
import type { RunResult } from './run-scenario.ts'
import { latencyMatrix, SAME_REGION_MS } from './latency-matrix.ts'
import { receiveCost } from './virtual-time.ts'
import { emptyWireCounts, type GossipWireCounts } from '../node/network/gossip-wire-metrics.ts'

export function percentile (values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

export interface Summary {
  scenario: string
  nodes: number
  seed: number
  status: string
  deliveryRatio: number
  allNodesP50Ms?: number
  allNodesP99Ms?: number
  perNodeP50Ms?: number
  perNodeP99Ms?: number
  idealMs?: number
  duplicatesPerNode: number
  bytesPerNode: number
  /** gossipsub's own counts on the wire, honest nodes */
  wire: {
    /** messages received per node (first copies and duplicates) */
    messagesPerNode: number
    /** duplicate deliveries per node and published message */
    duplicatesPerNodePerMessage: number
    /** control messages sent, over all honest nodes */
    ihaveSent: number
    iwantSent: number
    graftSent: number
    pruneSent: number
    /** encoded RPC bytes received per node (payloads and control, before stream framing) */
    rpcBytesPerNode: number
    /** share of those bytes that are message payloads */
    payloadShare: number
  }
  convergence: RunResult['convergence']
  /** the DHT probe: time of puts and of gets (to the first value), success ratios, peers answering before the value */
  dht?: { putP50Ms?: number, putP99Ms?: number, putOk: number, getP50Ms?: number, getP99Ms?: number, getOk: number, getPeersMean: number, churned: number }
  forgedStored: number
  forgedSent: number
  rssPeakMb: number
  rssPerNodeMb: number
  durationMs: number
  mode: RunResult['mode']
  link: RunResult['scenario']['link']
}

export function summarise (result: RunResult): Summary {
  const all = result.publishes.map(p => p.allMs).filter((v): v is number => v != null)
  const perNode = result.deliveries.map(d => d.ms)
  const honest = result.nodes.filter(n => !n.attacker)
  return {
    scenario: result.scenario.name,
    nodes: result.scenario.nodes,
    seed: result.scenario.seed,
    status: result.status,
    deliveryRatio: result.deliveryRatio,
    allNodesP50Ms: percentile(all, 50),
    allNodesP99Ms: percentile(all, 99),
    perNodeP50Ms: percentile(perNode, 50),
    perNodeP99Ms: percentile(perNode, 99),
    idealMs: percentile(result.publishes.map(p => p.idealMs).filter(Number.isFinite), 50),
    duplicatesPerNode: honest.reduce((n, x) => n + x.duplicates, 0) / Math.max(1, honest.length),
    bytesPerNode: honest.reduce((n, x) => n + x.gossipBytes + x.syncBytes, 0) / Math.max(1, honest.length),
    wire: wireSummary(honest, result.publishes.length),
    ...(result.dht != null ? { dht: dhtSummary(result.dht) } : {}),
    convergence: result.convergence,
    forgedStored: result.forgedStored,
    forgedSent: result.forgedSent,
    rssPeakMb: result.rss.peakMb,
    rssPerNodeMb: result.rss.perNodeMb,
    durationMs: result.durationMs,
    mode: result.mode,
    link: result.scenario.link
  }
}

function dhtSummary (dht: NonNullable<RunResult['dht']>): NonNullable<Summary['dht']> {
  const ms = (ops: typeof dht.puts): number[] => ops.filter(o => o.ok).map(o => o.ms)
  const ratio = (ops: typeof dht.puts): number => ops.filter(o => o.ok).length / Math.max(1, ops.length)
  const found = dht.gets.filter(o => o.ok)
  return {
    putP50Ms: percentile(ms(dht.puts), 50),
    putP99Ms: percentile(ms(dht.puts), 99),
    putOk: ratio(dht.puts),
    getP50Ms: percentile(ms(dht.gets), 50),
    getP99Ms: percentile(ms(dht.gets), 99),
    getOk: ratio(dht.gets),
    getPeersMean: found.reduce((n, o) => n + o.peers, 0) / Math.max(1, found.length),
    churned: dht.churned ?? 0
  }
}

function wireSummary (honest: RunResult['nodes'], published: number): Summary['wire'] {
  const sum = (key: keyof RunResult['nodes'][number]['wire']): number => honest.reduce((n, x) => n + x.wire[key], 0)
  const count = Math.max(1, honest.length)
  const rpcBytes = sum('bytesReceived')
  return {
    messagesPerNode: sum('messagesReceived') / count,
    duplicatesPerNodePerMessage: sum('duplicatesReceived') / count / Math.max(1, published),
    ihaveSent: sum('ihaveSent'),
    iwantSent: sum('iwantSent'),
    graftSent: sum('graftSent'),
    pruneSent: sum('pruneSent'),
    rpcBytesPerNode: rpcBytes / count,
    payloadShare: rpcBytes === 0 ? 0 : honest.reduce((n, x) => n + x.gossipBytes, 0) / rpcBytes
  }
}

function linkText (link: RunResult['scenario']['link']): string {
  const latency = link.matrix != null
    ? `latency between measured regions (${link.matrix}: ${latencyMatrix(link.matrix).regions.map(r => r.city).join(', ')}; half the round trip, ${SAME_REGION_MS} ms within a region)`
    : `latency ${link.latencyMs} ms`
  return `${latency}${link.jitterMs > 0 ? ` ± ${link.jitterMs} ms` : ''}${link.bandwidthKbps > 0 ? `, ${link.bandwidthKbps} kbit/s` : ''}${link.loss > 0 ? `, loss ${link.loss * 100} %` : ''}`
}

function modeText (mode: RunResult['mode']): string {
  if (mode.name === 'one process') return 'one process, memory transport'
  if (mode.name === 'processes') return `${mode.processes} processes, TCP on loopback`
  if (mode.name === 'virtual time') return `one process, memory transport, virtual time (${mode.clock}, from ${mode.epoch}; a credential check costs ${mode.costs.credentialCheckMs} ms, what a node receives ${receiveCost(mode.cores, mode.costs).perChunkMs} ms per chunk and ${receiveCost(mode.cores, mode.costs).perKiBMs} ms per KiB, ${mode.cores === 0 ? 'each node on a core of its own' : `all nodes on ${mode.cores} shared core${mode.cores === 1 ? '' : 's'}`}, ${mode.scheduling === 'fair' ? 'shared among connections' : 'chunk after chunk'}; ${(mode.wallMs / 1000).toFixed(1)} s of this machine's time)`
  return `${mode.processes} network namespaces, TCP over veth and a bridge${mode.nat != null ? `; ${mode.nat.nodes} nodes (${Math.round(mode.nat.fraction * 100)} %) in ${mode.nat.processes} behind NAT routers (nftables masquerade), private: DHT clients that announce no address` : ''}; kernel: ${mode.emulation.kernel.join('; ')}${mode.emulation.application.length > 0 ? `; application: ${mode.emulation.application.join('; ')}` : ''}`
}

const fmt = (v: number | undefined, digits = 0): string => v == null ? '–' : v.toFixed(digits)

export function summaryTable (summary: Summary, baseline?: Summary): string {
  const rows: Array<[string, string]> = [
    ['scenario', `${summary.scenario} (${summary.nodes} nodes, seed ${summary.seed}) — ${summary.status}`],
    ['mode', modeText(summary.mode)],
    ['links', linkText(summary.link)],
    ['delivery ratio', fmt(summary.deliveryRatio, 4)],
    ['time until all nodes hold an entry', `p50 ${fmt(summary.allNodesP50Ms)} ms, p99 ${fmt(summary.allNodesP99Ms)} ms (ideal: longest shortest path over link latencies = ${fmt(summary.idealMs)} ms; ratio p50 ${summary.idealMs != null && summary.allNodesP50Ms != null ? (summary.allNodesP50Ms / summary.idealMs).toFixed(2) : '–'})`],
    ['delivery time to each node', `p50 ${fmt(summary.perNodeP50Ms)} ms, p99 ${fmt(summary.perNodeP99Ms)} ms`],
    ['duplicates per node', `${fmt(summary.duplicatesPerNode, 1)} seen again by the validator; ${fmt(summary.wire.duplicatesPerNodePerMessage, 2)} per node and message on the wire (gossipsub's count)`],
    ['gossip on the wire', `${fmt(summary.wire.messagesPerNode, 1)} messages and ${fmt(summary.wire.rpcBytesPerNode / 1024, 1)} KiB of RPCs received per node (${fmt(summary.wire.payloadShare * 100)} % payloads); sent in all: IHAVE ${summary.wire.ihaveSent}, IWANT ${summary.wire.iwantSent}, GRAFT ${summary.wire.graftSent}, PRUNE ${summary.wire.pruneSent}`],
    ['bytes received per node', `${fmt(summary.bytesPerNode / 1024, 1)} KiB (gossip payloads + sync frames)`],
    ...(summary.dht != null ? [['DHT (puts, then gets)', `put p50 ${fmt(summary.dht.putP50Ms)} ms, p99 ${fmt(summary.dht.putP99Ms)} ms, ${fmt(summary.dht.putOk * 100)} % stored; get p50 ${fmt(summary.dht.getP50Ms)} ms, p99 ${fmt(summary.dht.getP99Ms)} ms, ${fmt(summary.dht.getOk * 100)} % found, ${fmt(summary.dht.getPeersMean, 1)} peers answered before the value${summary.dht.churned > 0 ? `; ${summary.dht.churned} nodes left and as many joined meanwhile` : ''} (IPFS DHT, Trautwein et al. SIGCOMM 2022: retrieval p50 2.9 s, publication p50 33.8 s; DHT messages travel with the link model, like every byte between nodes)`] as [string, string]] : []),
    ...summary.convergence.map(c => [`converged after ${c.event}`, c.convergedMs == null ? 'not within the budget' : `${fmt(c.convergedMs)} ms`] as [string, string]),
    ...(summary.forgedSent > 0 ? [['forged entries stored', `${summary.forgedStored} (of ${summary.forgedSent} forged messages sent)`] as [string, string]] : []),
    ...(baseline != null ? [['baseline without attackers', `p50 ${fmt(baseline.allNodesP50Ms)} ms, p99 ${fmt(baseline.allNodesP99Ms)} ms, ratio ${fmt(baseline.deliveryRatio, 4)}`] as [string, string]] : []),
    ['RSS', `peak ${fmt(summary.rssPeakMb)} MiB, ${fmt(summary.rssPerNodeMb, 1)} MiB per node`],
    ['run time', `${fmt(summary.durationMs / 1000, 1)} s`]
  ]
  const width = Math.max(...rows.map(r => r[0].length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}

export async function svg (spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  return view.toSVG()
}

export function csv (header: string[], rows: Array<Array<string | number | boolean | undefined>>): string {
  return [header.join(','), ...rows.map(r => r.map(v => v ?? '').join(','))].join('\n') + '\n'
}

export async function writeReport (out: string, result: RunResult, baseline?: RunResult): Promise<Summary> {
  await mkdir(out, { recursive: true })
  const summary = summarise(result)
  const baselineSummary = baseline != null ? summarise(baseline) : undefined
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: `${platform()} ${release()}`, node: process.version }
  await writeFile(join(out, 'results.json'), JSON.stringify({ summary, baseline: baselineSummary, gxcat: pkg.version, libp2p: pkg.dependencies.libp2p, machine, ...result }, null, 2))
  await writeFile(join(out, 'deliveries.csv'), csv(['publish', 'node', 'ms'], result.deliveries.map(d => [d.publish, d.node, d.ms.toFixed(2)])))
  await writeFile(join(out, 'publishes.csv'), csv(['publish', 'cid', 'from', 'at_ms', 'expected', 'reached', 'all_ms', 'ideal_ms'], result.publishes.map(p => [p.index, p.cid, p.from, p.atMs, p.expected, p.reached, p.allMs?.toFixed(2), p.idealMs.toFixed(1)])))
  const wireKeys = Object.keys(emptyWireCounts()) as Array<keyof GossipWireCounts>
  await writeFile(join(out, 'nodes.csv'), csv(
    ['node', 'attacker', 'alive', 'peers', 'gossip_bytes', 'sync_bytes', 'duplicates', 'rejected', 'entries', ...wireKeys.map(k => `wire_${k.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)}`)],
    result.nodes.map(n => [n.index, n.attacker, n.alive, n.peers, n.gossipBytes, n.syncBytes, n.duplicates, n.rejected, n.entries, ...wireKeys.map(k => n.wire[k])])))
  await writeFile(join(out, 'coverage.csv'), csv(['ms', 'fraction'], result.coverage.map(c => [c.ms, c.fraction.toFixed(4)])))
  await writeFile(join(out, 'summary.txt'), summaryTable(summary, baselineSummary) + '\n')

  const schema = 'https://vega.github.io/schema/vega-lite/v6.json'
  const sorted = result.deliveries.map(d => d.ms).sort((a, b) => a - b)
  const step = Math.max(1, Math.floor(sorted.length / 2000))
  const cdf = sorted.filter((_, i) => i % step === 0 || i === sorted.length - 1).map(ms => ({ ms, fraction: (sorted.indexOf(ms) + 1) / sorted.length }))
  await writeFile(join(out, 'delivery-cdf.svg'), await svg({
    $schema: schema,
    width: 520,
    height: 300,
    title: `${result.scenario.name}: delivery time to each node (CDF)`,
    data: { values: cdf },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x: { field: 'ms', type: 'quantitative', title: 'ms after publish' }, y: { field: 'fraction', type: 'quantitative', title: 'fraction of deliveries', scale: { domain: [0, 1] } } }
  }))
  await writeFile(join(out, 'coverage.svg'), await svg({
    $schema: schema,
    width: 520,
    height: 300,
    title: `${result.scenario.name}: coverage over time`,
    data: { values: result.coverage.map(c => ({ s: c.ms / 1000, fraction: c.fraction })) },
    mark: 'line',
    encoding: { x: { field: 's', type: 'quantitative', title: 's since start' }, y: { field: 'fraction', type: 'quantitative', title: '(entry, node) pairs delivered', scale: { domain: [0, 1] } } }
  }))
  await writeFile(join(out, 'bytes-per-node.svg'), await svg({
    $schema: schema,
    width: 520,
    height: 300,
    title: `${result.scenario.name}: bytes received per node`,
    data: { values: result.nodes.map(n => ({ node: n.index, KiB: (n.gossipBytes + n.syncBytes) / 1024, role: n.attacker ? 'attacker' : 'honest' })) },
    mark: 'bar',
    encoding: { x: { field: 'node', type: 'ordinal', title: 'node', axis: { labels: result.nodes.length <= 60 } }, y: { field: 'KiB', type: 'quantitative', title: 'KiB received' }, color: { field: 'role', type: 'nominal' } }
  }))
  return summary
}
