import assert from 'node:assert/strict'
import FakeTimers from '@sinonjs/fake-timers'
import { lpStream } from '@libp2p/utils'
import { createCore, createCores } from '../../simulations/cpu-model.ts'
import { Harness } from '../../simulations/harness.ts'
import { seededRandom } from '../../simulations/generator.ts'
import { installVirtualTime } from '../../simulations/virtual-time.ts'
import { parseScenario } from '../../simulations/scenario.ts'

const ECHO = '/gxcat-test/echo/1.0.0'

describe('the CPU model of virtual time', () => {
  describe('a core', () => {
    let clock: ReturnType<typeof FakeTimers.install>
    beforeEach(() => { clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] }) })
    afterEach(() => { clock.uninstall() })

    it('fifo: hands chunks on in arrival order, each after its cost, a busy core making the next wait', async () => {
      const core = createCore({ perChunkMs: 1, perKiBMs: 2 }, 'fifo')
      const handed: Array<[string, number]> = []
      const at = (name: string) => () => { handed.push([name, performance.now()]) }
      core.submit(1024, at('a'))
      core.submit(512, at('b'))
      core.submit(0, at('close'))
      await clock.tickAsync(5)
      core.submit(2048, at('c'))
      await clock.tickAsync(20)
      core.submit(0, at('empty on an idle core'))
      assert.deepEqual(handed, [['a', 3], ['b', 5], ['close', 5], ['c', 10], ['empty on an idle core', 25]])
      assert.deepEqual(core.stats(), { chunks: 3, bytes: 3584, busyMs: 10 })
    })

    it('fair: shares the core among connections with work waiting, each connection\'s chunks in order', async () => {
      const x = {}
      const y = {}
      const run = async (scheduling: 'fair' | 'fifo'): Promise<Array<[string, number]>> => {
        const core = createCore({ perChunkMs: 0, perKiBMs: 1 }, scheduling)
        const handed: Array<[string, number]> = []
        const at = (name: string) => () => { handed.push([name, performance.now() - start]) }
        const start = performance.now()
        core.submit(4096, at('x1'), x)
        core.submit(1024, at('x2'), x)
        core.submit(2048, at('y'), y)
        core.submit(0, at('y closes'), y)
        await clock.tickAsync(20)
        core.submit(0, at('empty on an idle core'), x)
        assert.equal(core.stats().busyMs, 7)
        return handed
      }
      // y's 2 ms at half the core end at 4, x1's last 2 ms alone at 6, then x2
      assert.deepEqual(await run('fair'), [['y', 4], ['y closes', 4], ['x1', 6], ['x2', 7], ['empty on an idle core', 20]])
      assert.deepEqual(await run('fifo'), [['x1', 4], ['x2', 5], ['y', 7], ['y closes', 7], ['empty on an idle core', 20]])
    })

    it('fair: keeps exact shares between the clock\'s whole milliseconds', async () => {
      const core = createCore({ perChunkMs: 0, perKiBMs: 1 })
      const handed: Array<[string, number]> = []
      const start = performance.now()
      // three connections of 0.5 KiB each: each done after 1.5 ms of shared core, none lost to rounding
      for (const name of ['a', 'b', 'c']) core.submit(512, () => { handed.push([name, performance.now() - start]) }, {})
      core.submit(1024, () => { handed.push(['d', performance.now() - start]) }, {})
      await clock.tickAsync(10)
      // a, b, c share with d until 2 ms (0.5 ms each); d then has 0.5 ms left, alone: done at 2.5, handed on at 3
      assert.deepEqual(handed, [['a', 2], ['b', 2], ['c', 2], ['d', 3]])
    })

    it('gives each node a core of its own, or puts node i on shared core i mod K', () => {
      const own = createCores(0, { perChunkMs: 0, perKiBMs: 1 })
      assert.notEqual(own(0), own(1))
      assert.equal(own(3), own(3))
      const shared = createCores(2, { perChunkMs: 0, perKiBMs: 1 })
      assert.equal(shared(0), shared(2))
      assert.equal(shared(1), shared(5))
      assert.notEqual(shared(0), shared(1))
    })
  })

  it('reads cpu from the scenario: a core per node by default, a whole number of shared cores, fair or fifo, nothing else', () => {
    assert.deepEqual(parseScenario({ name: 'c', nodes: 5 }).cpu, { cores: 0, scheduling: 'fair' })
    assert.deepEqual(parseScenario({ name: 'c', nodes: 5, cpu: { cores: 2, scheduling: 'fifo' } }).cpu, { cores: 2, scheduling: 'fifo' })
    assert.throws(() => parseScenario({ name: 'c', nodes: 5, cpu: { cores: 1.5 } }), { name: 'ScenarioError', message: /cpu\.cores must be an integer/ })
    assert.throws(() => parseScenario({ name: 'c', nodes: 5, cpu: { cores: -1 } }), { name: 'ScenarioError', message: /cpu\.cores must be ≥ 0/ })
    assert.throws(() => parseScenario({ name: 'c', nodes: 5, cpu: { scheduling: 'round-robin' } }), { name: 'ScenarioError', message: /cpu\.scheduling must be one of fair, fifo/ })
    assert.throws(() => parseScenario({ name: 'c', nodes: 5, cpu: { speed: 2 } }), { name: 'ScenarioError', message: /cpu\.speed is not a scenario field/ })
  })

  it('charges what real nodes receive on their cores, in virtual time', async function () {
    this.timeout(60_000)
    const roundTrip = async (perKiBMs: number | undefined): Promise<number> => {
      const clock = installVirtualTime({ seed: 3 })
      try {
        return await clock.run(async () => {
          const cores = perKiBMs == null ? undefined : createCores(0, { perChunkMs: 0, perKiBMs })
          const harness = new Harness({ random: seededRandom(3), linkSeed: 3, latencyMs: 40, jitterMs: 0, bandwidthKbps: 0, loss: 0, run: `cpu-${perKiBMs}`, virtualTime: true, ...(cores != null ? { coreOf: cores } : {}) })
          try {
            const a = await harness.addNode()
            const b = await harness.addNode()
            await a.network.libp2p.handle(ECHO, async stream => {
              const lp = lpStream(stream)
              await lp.write(await lp.read())
              await stream.close()
            })
            const peer = (await b.network.libp2p.dial(a.network.libp2p.getMultiaddrs()[0])).remotePeer
            const started = performance.now()
            const stream = await b.network.libp2p.dialProtocol(peer, ECHO)
            const lp = lpStream(stream)
            await lp.write(new Uint8Array(64 * 1024))
            assert.equal((await lp.read()).byteLength, 64 * 1024)
            return performance.now() - started
          } finally {
            await harness.stopAll()
          }
        })
      } finally {
        clock.uninstall()
      }
    }
    const free = await roundTrip(undefined)
    const charged = await roundTrip(1)
    // 64 KiB each way at 1 ms per KiB: at least 128 ms more than the same exchange with free cores
    assert.ok(free >= 80 && free < 200, `round trip with free cores: ${free} ms`)
    assert.ok(charged - free >= 128, `round trip charged ${charged} ms against ${free} ms free`)
    assert.ok(charged - free < 200, `round trip charged ${charged} ms against ${free} ms free`)
  })
})
