import assert from 'node:assert/strict'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { summarise, summaryTable, writeReport } from '../../simulations/report.ts'
import { runMultiProcess } from '../../simulations/multi-process.ts'
import { runScenario } from '../../simulations/run-scenario.ts'
import { parseScenario } from '../../simulations/scenario.ts'
import { tempDir } from '../fixtures/node.ts'
import { Harness } from '../../simulations/harness.ts'
import { seededRandom } from '../../simulations/generator.ts'

describe('simulations', function () {
  this.timeout(120_000)

  it('names the bad field of a malformed scenario before anything starts', () => {
    assert.throws(() => parseScenario({ name: 'x' }), { name: 'ScenarioError', message: /scenario\.nodes must be a number \(required\)/ })
    assert.throws(() => parseScenario({ name: 'x', nodes: 5, link: { latency: 3 } }), { name: 'ScenarioError', message: /scenario\.link\.latency is not a scenario field/ })
    assert.throws(() => parseScenario({ name: 'x', nodes: 5, events: [{ atMs: 1, type: 'explode' }] }), { name: 'ScenarioError', message: /events\[0\]\.type must be/ })
    assert.throws(() => parseScenario({ name: 'x', nodes: 5, attackers: { fraction: 2, behaviour: 'forge' } }), { name: 'ScenarioError', message: /attackers\.fraction must be ≤ 0\.9/ })
    assert.throws(() => parseScenario({ name: 'x', nodes: 1.5 }), { name: 'ScenarioError', message: /nodes must be an integer/ })
    assert.throws(() => parseScenario({ name: 'x', nodes: 5, node: { dht: 'yes' } }), { name: 'ScenarioError', message: /scenario\.node\.dht must be true or false/ })
    assert.throws(() => parseScenario({ name: 'x', nodes: 5, node: { syncIntervalMs: 10 } }), { name: 'ScenarioError', message: /scenario\.node\.syncIntervalMs must be ≥ 100/ })
    assert.deepEqual(parseScenario({ name: 'x', nodes: 5 }).node, { syncIntervalMs: 10_000, targetPeers: 8, dht: false })
  })

  it('runs real nodes through a partition and its healing, with the same schedule for the same seed, and writes its report', async () => {
    const scenario = parseScenario({
      name: 'small-partition',
      nodes: 6,
      seed: 7,
      link: { latencyMs: 5, jitterMs: 2 },
      publish: { count: 12, intervalMs: 20 },
      events: [{ atMs: 0, type: 'partition', groups: 2 }, { atMs: 400, type: 'heal' }]
    })
    const first = await runScenario(scenario)
    const second = await runScenario(scenario)
    assert.equal(first.status, 'complete')
    assert.equal(first.deliveryRatio, 1)
    assert.equal(first.convergence.find(c => c.event === 'heal')?.convergedMs != null, true)
    assert.deepEqual(first.publishes.map(p => [p.from, p.cid]), second.publishes.map(p => [p.from, p.cid]))
    // each link's latency comes from the seed and the pair of nodes, whichever end asks
    const links = (h: Harness): number[] => [[0, 1], [1, 0], [2, 5], [3, 9], [7, 8]].map(([a, b]) => h.linkLatencyMs(a, b))
    const harnessInit = { latencyMs: 20, jitterMs: 5, bandwidthKbps: 0, loss: 0, run: 'links' }
    const sample = links(new Harness({ random: seededRandom(7), ...harnessInit }))
    assert.deepEqual(sample, links(new Harness({ random: seededRandom(7), ...harnessInit })))
    assert.equal(sample[0], sample[1])
    assert.ok(sample.every(ms => ms >= 15 && ms <= 25) && new Set(sample).size > 2, String(sample))
    assert.notDeepEqual(sample, links(new Harness({ random: seededRandom(8), ...harnessInit })))

    const out = await tempDir('gxcat-sim-')
    try {
      const summary = await writeReport(out, first)
      assert.equal(summary.deliveryRatio, 1)
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'))
      assert.equal(results.scenario.seed, 7)
      assert.ok(results.machine.cpus >= 1)
      for (const chart of ['delivery-cdf.svg', 'coverage.svg', 'bytes-per-node.svg']) {
        assert.match(await readFile(join(out, chart), 'utf8'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
      }
      assert.match(await readFile(join(out, 'deliveries.csv'), 'utf8'), /^publish,node,ms\n\d+,\d+,/)
      // gossipsub's own counts: every node received messages on the wire, duplicates are a part of them
      for (const node of first.nodes) {
        assert.ok(node.wire.messagesReceived > 0 && node.wire.rpcsReceived > 0 && node.wire.bytesReceived > node.gossipBytes, JSON.stringify(node.wire))
        assert.ok(node.wire.duplicatesReceived <= node.wire.messagesReceived, JSON.stringify(node.wire))
        assert.ok(node.wire.graftSent + node.wire.graftReceived > 0, 'meshes were formed')
      }
      assert.ok(summary.wire.messagesPerNode > 0)
      assert.ok(summary.wire.payloadShare > 0 && summary.wire.payloadShare < 1)
      assert.match(await readFile(join(out, 'nodes.csv'), 'utf8'), /,wire_messages_received,wire_messages_sent,wire_duplicates_received,/)
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  })

  it('spreads nodes over processes talking TCP on loopback, with the same publishers as in one process', async () => {
    const scenario = parseScenario({ name: 'small-mp', nodes: 6, seed: 5, link: { latencyMs: 5 }, publish: { count: 4, intervalMs: 100 } })
    const spread = await runMultiProcess(scenario, 2)
    assert.equal(spread.status, 'complete')
    assert.equal(spread.deliveryRatio, 1)
    assert.equal(new Set(spread.nodes.map(n => n.index)).size, 6)
    assert.ok(spread.nodes.every(n => n.wire.messagesReceived > 0 && n.wire.duplicatesReceived <= n.wire.messagesReceived), 'wire counts come back from each process')
    // the ideal is computed across processes as in one: at least one 5 ms hop, at most a path through every node
    assert.ok(spread.publishes.every(p => p.idealMs >= 5 && p.idealMs <= 5 * 5), JSON.stringify(spread.publishes.map(p => p.idealMs)))
    const single = await runScenario(scenario)
    assert.deepEqual(spread.publishes.map(p => [p.from, p.cid]), single.publishes.map(p => [p.from, p.cid]))
  })

  it('runs partitions, joins and attackers across processes too', async () => {
    const result = await runMultiProcess(parseScenario({
      name: 'mp-events',
      nodes: 8,
      seed: 9,
      link: { latencyMs: 5 },
      publish: { count: 10, intervalMs: 50 },
      events: [{ atMs: 0, type: 'partition', groups: 2 }, { atMs: 300, type: 'join', nodes: 2 }, { atMs: 600, type: 'heal' }],
      attackers: { fraction: 0.25, behaviour: 'forge', ratePerSecond: 20 }
    }), 2)
    assert.equal(result.status, 'complete')
    assert.equal(result.deliveryRatio, 1)
    assert.equal(result.nodes.length, 10)
    assert.deepEqual(result.nodes.filter(n => n.attacker).length, 2)
    assert.ok(result.forgedSent > 0)
    assert.equal(result.forgedStored, 0)
    assert.ok(result.convergence.find(c => c.event === 'heal')?.convergedMs != null, JSON.stringify(result.convergence))
  })

  it('times DHT puts and gets once the nodes converged, all of them found', async () => {
    assert.throws(() => parseScenario({ name: 'no-dht', nodes: 4, dhtProbe: { puts: 1 } }), /dhtProbe needs scenario\.node\.dht: true/)
    const result = await runScenario(parseScenario({
      name: 'dht', nodes: 30, seed: 3, link: { latencyMs: 5 }, node: { dht: true }, publish: { count: 6, intervalMs: 50 }, dhtProbe: { puts: 6, gets: 12 }
    }))
    assert.equal(result.status, 'complete')
    assert.equal(result.dht?.puts.length, 6)
    assert.equal(result.dht?.gets.length, 12)
    // DHT messages cross the links too: a put takes at least one round trip of 5 ms links
    assert.ok(result.dht?.puts.every(p => p.ok && p.peers > 0 && p.ms >= 2 * 5 - 1), JSON.stringify(result.dht?.puts))
    assert.ok(result.dht?.gets.every(g => g.ok && g.ms > 0), JSON.stringify(result.dht?.gets))
    const summary = summarise(result)
    assert.equal(summary.dht?.getOk, 1)
    assert.match(summaryTable(summary), /DHT \(puts, then gets\)\s+put p50 \d+ ms/)
  })

  it('probes the DHT under churn: nodes leave and join while puts and gets run', async () => {
    const result = await runScenario(parseScenario({
      name: 'dht-churn', nodes: 30, seed: 4, link: { latencyMs: 5 }, node: { dht: true }, publish: { count: 4, intervalMs: 50 }, dhtProbe: { puts: 4, gets: 8, churnPerSecond: 10 }
    }))
    assert.equal(result.status, 'complete')
    assert.ok((result.dht?.churned ?? 0) > 0, 'nodes left and joined during the probe')
    assert.equal(result.dht?.puts.length, 4)
    assert.ok(result.dht?.puts.some(p => p.ok), 'puts still succeed under churn')
    assert.ok((result.dht?.gets.length ?? 0) > 0 && result.dht?.gets.every(g => g.ms > 0))
    assert.match(summaryTable(summarise(result)), /nodes left and as many joined meanwhile/)
  })

  it('stores no forged entry when attackers flood forged messages', async () => {
    const result = await runScenario(parseScenario({
      name: 'small-attack',
      nodes: 8,
      seed: 3,
      link: { latencyMs: 5 },
      publish: { count: 8, intervalMs: 50 },
      attackers: { fraction: 0.25, behaviour: 'forge', ratePerSecond: 20 }
    }))
    assert.ok(result.forgedSent > 0)
    assert.equal(result.forgedStored, 0)
    assert.equal(result.deliveryRatio, 1)
  })
})
