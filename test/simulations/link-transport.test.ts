import assert from 'node:assert/strict'
import { lpStream } from '@libp2p/utils'
import { Harness, type SimNode } from '../../simulations/harness.ts'
import { seededRandom } from '../../simulations/generator.ts'

const LATENCY_MS = 40
const ECHO = '/gxcat-test/echo/1.0.0'
const SINK = '/gxcat-test/sink/1.0.0'
const STREAMS = { maxInboundStreams: 1000, maxOutboundStreams: 1000 }

/** b sends `bytes` to a on a new stream of a protocol that is neither gossip nor sync, and waits for them back: the time it took. */
async function echo (from: SimNode, to: SimNode, bytes: number): Promise<number> {
  const started = performance.now()
  const peer = from.network.libp2p.getPeers().find(p => p.toString() === to.peerId)
  assert.ok(peer != null)
  const stream = await from.network.libp2p.dialProtocol(peer, ECHO, STREAMS)
  const lp = lpStream(stream)
  await lp.write(new Uint8Array(bytes))
  assert.equal((await lp.read()).byteLength, bytes)
  await stream.close()
  return performance.now() - started
}

async function echoPair (harness: Harness): Promise<[SimNode, SimNode]> {
  const a = await harness.addNode()
  const b = await harness.addNode()
  for (const node of [a, b]) {
    await node.network.libp2p.handle(ECHO, async stream => {
      const lp = lpStream(stream)
      await lp.write(await lp.read())
      await stream.close()
    }, STREAMS)
  }
  await connected(b, a)
  return [a, b]
}

async function connected (a: SimNode, b: SimNode): Promise<void> {
  for (let i = 0; i < 200 && !a.network.libp2p.getPeers().some(p => p.toString() === b.peerId); i++) await new Promise(resolve => setTimeout(resolve, 25))
  assert.ok(a.network.libp2p.getPeers().some(p => p.toString() === b.peerId), 'the two nodes connect')
}

describe('the link model in the transport', function () {
  this.timeout(60_000)

  for (const transport of ['memory', 'tcp'] as const) {
    it(`delays every protocol's bytes by the link's latency, pipelined, over ${transport}`, async () => {
      const harness = new Harness({ random: seededRandom(3), latencyMs: LATENCY_MS, jitterMs: 0, bandwidthKbps: 0, loss: 0, run: `link-${transport}-${process.pid}`, transport })
      try {
        const [a, b] = await echoPair(harness)
        await echo(b, a, 100) // warm: the connection is up
        // a new stream and a round trip of data cross the link at least twice each way
        const one = await echo(b, a, 100)
        assert.ok(one >= 2 * LATENCY_MS - 2, `an echo took ${Math.round(one)} ms over a ${LATENCY_MS} ms link`)
        // pipelined: twenty at once take about as long as one, not twenty times as long
        const started = performance.now()
        await Promise.all(Array.from({ length: 20 }, async () => echo(b, a, 100)))
        const elapsed = performance.now() - started
        assert.ok(elapsed < 3 * one + 100, `twenty echoes at once took ${Math.round(elapsed)} ms, one ${Math.round(one)} ms`)
      } finally {
        await harness.stopAll()
      }
    })
  }

  // with a bandwidth, 10,000 bytes take 100 ms of the wire, which also passes during the stall
  for (const { bandwidthKbps, bytes } of [{ bandwidthKbps: 0, bytes: 100 }, { bandwidthKbps: 800, bytes: 10_000 }]) {
    it(`over TCP, runs a link's latency${bandwidthKbps > 0 ? ' and bandwidth' : ''} while the receiving process is busy, as a wire does`, async () => {
      const latencyMs = 150
      const blockMs = 400
      const harness = new Harness({ random: seededRandom(5), latencyMs, jitterMs: 0, bandwidthKbps, loss: 0, run: `link-busy-${bandwidthKbps}-${process.pid}`, transport: 'tcp' })
      try {
        const [a, b] = await echoPair(harness)
        await echo(b, a, 100)
        const arrived: number[] = []
        await a.network.libp2p.handle(SINK, async stream => {
          const lp = lpStream(stream)
          for (;;) { await lp.read(); arrived.push(performance.now()) }
        }, STREAMS)
        const peer = b.network.libp2p.getPeers().find(p => p.toString() === a.peerId)
        assert.ok(peer != null)
        const lp = lpStream(await b.network.libp2p.dialProtocol(peer, SINK, STREAMS))
        await lp.write(new Uint8Array(100))
        for (let i = 0; i < 200 && arrived.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
        // bytes leave, and at once the process (the receiver's too) is busy for 400 ms: they wait
        // unread in the socket, while the link's 150 ms pass
        const sent = performance.now()
        void lp.write(new Uint8Array(bytes))
        const until = sent + blockMs
        while (performance.now() < until);
        for (let i = 0; i < 200 && arrived.length === 1; i++) await new Promise(resolve => setTimeout(resolve, 5))
        const took = arrived[1] - sent
        // handed on once read: about 400 ms; were the link to start when they are read, 550 (650)
        assert.ok(took >= blockMs && took < blockMs + latencyMs / 2, `${bytes} bytes sent before a ${blockMs} ms stall over a ${latencyMs} ms link arrived after ${Math.round(took)} ms`)
      } finally {
        await harness.stopAll()
      }
    })
  }

  it('limits a link to its bandwidth, counting every byte', async () => {
    const harness = new Harness({ random: seededRandom(4), latencyMs: 5, jitterMs: 0, bandwidthKbps: 800, loss: 0, run: `link-bw-${process.pid}` })
    try {
      const [a, b] = await echoPair(harness)
      await echo(b, a, 100)
      // 50 echoes of 4,000 bytes: 200 kB each way, at 800 kbit/s (100 bytes per ms) at least 2 s
      const started = performance.now()
      await Promise.all(Array.from({ length: 50 }, async () => echo(b, a, 4000)))
      const elapsed = performance.now() - started
      assert.ok(elapsed >= 2000, `200 kB crossed an 800 kbit/s link in ${Math.round(elapsed)} ms`)
      assert.ok(elapsed < 4000, `200 kB took ${Math.round(elapsed)} ms on an 800 kbit/s link`)
    } finally {
      await harness.stopAll()
    }
  })
})
