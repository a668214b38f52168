import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { runMultiProcess } from '../../simulations/multi-process.ts'
import { runScenario, type RunResult } from '../../simulations/run-scenario.ts'
import { parseScenario } from '../../simulations/scenario.ts'

const scenario = parseScenario({ name: 'three-modes', nodes: 50, seed: 11, link: { latencyMs: 10, jitterMs: 2 }, publish: { count: 6, intervalMs: 200 } })

function assertSound (result: RunResult, mode: string): void {
  assert.equal(result.status, 'complete', mode)
  assert.equal(result.deliveryRatio, 1, mode)
  assert.equal(new Set(result.nodes.map(n => n.index)).size, 50, mode)
  const received = result.nodes.reduce((n, x) => n + x.wire.messagesReceived, 0)
  assert.ok(received > 0, `${mode}: gossipsub counted messages on the wire`)
  assert.ok(result.nodes.every(n => n.wire.duplicatesReceived <= n.wire.messagesReceived), `${mode}: duplicates ≤ messages received`)
}

describe('simulation modes: one process, processes, network namespaces', function () {
  this.timeout(180_000)
  const schedules: Array<Array<[number, string]>> = []

  it('one process, memory transport: 50 nodes, every entry everywhere', async () => {
    const result = await runScenario(scenario)
    assertSound(result, 'one process')
    assert.deepEqual(result.mode, { name: 'one process' })
    schedules.push(result.publishes.map(p => [p.from, p.cid]))
  })

  it('two processes over TCP on loopback: the same schedule, every entry everywhere', async () => {
    const result = await runMultiProcess(scenario, 2)
    assertSound(result, 'processes')
    assert.deepEqual(result.mode, { name: 'processes', processes: 2 })
    schedules.push(result.publishes.map(p => [p.from, p.cid]))
    assert.deepEqual(schedules[1], schedules[0])
  })

  it('two network namespaces over veth and a bridge: the same schedule, every entry everywhere, or a clear skip', async function () {
    let result: RunResult
    try {
      result = await runMultiProcess(scenario, 2, { netns: true })
    } catch (err: any) {
      if (err.name !== 'NetnsUnavailableError') throw err
      assert.match(err.message, /needs root or CAP_NET_ADMIN/)
      console.log(`      skipped: ${err.message}`)
      this.skip()
    }
    assertSound(result, 'netns')
    assert.equal(result.mode.name, 'netns')
    if (result.mode.name === 'netns') assert.match(result.mode.emulation.kernel.join(' '), /network namespace/)
    assert.deepEqual(result.publishes.map(p => [p.from, p.cid]), schedules[0])
    // torn down: no namespace of the run is left behind
    assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), new RegExp(`gxsim-${(process.pid % 100_000).toString(36)}-`))
  })

  it('a share of the nodes behind NAT routers: private nodes that only dial out still get every entry, or a clear skip', async function () {
    let result: RunResult
    try {
      result = await runMultiProcess(scenario, 3, { netns: true, nat: 0.3 })
    } catch (err: any) {
      if (err.name !== 'NetnsUnavailableError') throw err
      console.log(`      skipped: ${err.message}`)
      this.skip()
    }
    assertSound(result, 'netns behind NAT')
    assert.ok(result.mode.name === 'netns' && result.mode.nat != null)
    assert.deepEqual(result.mode.nat, { fraction: 0.3, nodes: 15, processes: 1 })
    assert.deepEqual(result.publishes.map(p => [p.from, p.cid]), schedules[0])
    assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), new RegExp(`gxsim-${(process.pid % 100_000).toString(36)}-`))
  })
})
