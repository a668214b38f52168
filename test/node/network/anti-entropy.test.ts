import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { SYNC_PROTOCOL } from '../../../protocols/constants.ts'
import { encodeFrame } from '../../../protocols/sync/index.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { startMember, stopMembers, waitForMesh, type NetworkMember } from '../../fixtures/network.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { partitionGater } from '../../../simulations/partition-gater.ts'

/** Two nodes that hold the same 600 entries, and an empty joiner connected to both; sync only on demand. */
async function twoFullNodesAndAJoiner (seed: number): Promise<{ a: NetworkMember, b: NetworkMember, joiner: NetworkMember }> {
  const credentials = await generateJws(600, { seed })
  const a = await startMember([], { gossip: false, sync: { onConnect: false } })
  const b = await startMember([], { gossip: false, sync: { onConnect: false } })
  const joiner = await startMember([...a.network.addrs(), ...b.network.addrs()], { gossip: false, sync: { onConnect: false } })
  try {
    await Promise.all(credentials.map(async jws => Promise.all([a.node.publish(jws), b.node.publish(jws)])))
    await waitFor(() => joiner.network.libp2p.getPeers().length === 2, 10_000, 'the joiner to reach both')
  } catch (err) {
    await stopMembers([a, b, joiner])
    throw err
  }
  return { a, b, joiner }
}

describe('anti-entropy', function () {
  this.timeout(120_000)

  it('brings a node that starts after 1,000 entries were published up to date', async () => {
    const a = await startMember()
    const credentials = await generateJws(1000, { seed: 51 })
    await Promise.all(credentials.map(async jws => a.node.publish(jws)))
    const b = await startMember(a.network.addrs())
    try {
      await waitFor(() => b.node.counts().entries === 1000, 60_000, 'the late joiner to hold 1,000 entries')
      // whichever of the two started the session, B counts what it received once the session ends
      await waitFor(async () => /gxcat_sync_versions_total\{direction="received"\} 1000/.test(await b.node.metrics.registry.metrics()), 10_000, 'B to count 1,000 versions received')
      assert.match(await b.node.metrics.registry.metrics(), /gxcat_sync_sessions_total\{role="(initiator|responder)",result="ok"\} [1-9]/)
    } finally {
      await stopMembers([a, b])
    }
  })

  it('starts a catch-up the moment peers meet, not at a timer', async () => {
    // the periodic sync an hour away on both: only the session on meeting can bring the joiner up to date
    const hour = { intervalMs: 3_600_000 }
    const a = await startMember([], { gossip: false, sync: hour })
    await Promise.all((await generateJws(200, { seed: 53 })).map(async jws => a.node.publish(jws)))
    const met = Promise.withResolvers<number>()
    const b = await startMember(a.network.addrs(), { gossip: false, sync: hour })
    try {
      b.network.libp2p.addEventListener('peer:identify', () => { met.resolve(performance.now()) }, { once: true })
      if (b.network.libp2p.getPeers().length > 0) met.resolve(performance.now())
      const meeting = await met.promise
      await waitFor(() => b.node.counts().entries === 200, 10_000, 'the joiner to hold all 200 entries')
      const caughtUp = performance.now()
      // far below the timer's half hour at the least; a session, fetch and checks of 200 entries
      assert.ok(caughtUp - meeting < 5_000, `caught up ${Math.round(caughtUp - meeting)} ms after meeting`)
    } finally {
      await stopMembers([a, b])
    }
  })

  it('converges two partitioned groups that each published, once the partition heals', async () => {
    let partitioned = false
    const groupOf = new Map<string, number>()
    const allowPeer = (self: () => string) => (peer: string): boolean => !partitioned || groupOf.get(peer) === groupOf.get(self())
    const members: NetworkMember[] = []
    for (let i = 0; i < 6; i++) {
      let id = ''
      const m = await startMember(members.length > 0 ? members[0].network.addrs() : [], { connectionGater: partitionGater(allowPeer(() => id)) })
      id = m.network.peerId()
      groupOf.set(id, i < 3 ? 0 : 1)
      members.push(m)
    }
    try {
      await waitFor(() => members.every(m => m.network.libp2p.getPeers().length >= 3), 30_000, 'the nodes to connect')
      // partition: no connection between the groups
      partitioned = true
      await Promise.all(members.map(async m => Promise.all(m.network.libp2p.getPeers()
        .filter(p => groupOf.get(p.toString()) !== groupOf.get(m.network.peerId()))
        .map(async p => m.network.libp2p.hangUp(p)))))
      const [left, right] = [await generateJws(30, { seed: 61 }), await generateJws(20, { seed: 62 })]
      await Promise.all(left.map(async (jws, i) => members[i % 3].node.publish(jws)))
      await Promise.all(right.map(async (jws, i) => members[3 + (i % 3)].node.publish(jws)))
      await waitFor(() => members.slice(0, 3).every(m => m.node.counts().entries === 30) && members.slice(3).every(m => m.node.counts().entries === 20), 30_000, 'each group to converge on its own')

      // heal: let them meet again; sync on connect does the rest
      partitioned = false
      await members[0].network.libp2p.dial(multiaddr(members[3].network.addrs()[0]))
      await members[1].network.libp2p.dial(multiaddr(members[4].network.addrs()[0]))
      await waitFor(() => members.every(m => m.node.counts().entries === 50), 60_000, 'every node to hold all 50 entries')
    } finally {
      await stopMembers(members)
    }
  })

  it('passes the few versions a session recovered on to gossip, not the hundreds of a catch-up', async () => {
    // A keeps to itself (no gossip); B syncs with it on demand and gossips with C
    const a = await startMember([], { gossip: false, sync: { onConnect: false } })
    const b = await startMember([], { sync: { onConnect: false } })
    const c = await startMember(b.network.addrs(), { sync: { onConnect: false } })
    try {
      await waitForMesh([b, c], 1)
      const [few, many, marker] = [await generateJws(3, { seed: 71 }), await generateJws(100, { seed: 72 }), await generateJws(1, { seed: 73 })]
      await Promise.all(few.map(async jws => a.node.publish(jws)))
      assert.equal((await b.network.syncWith(a.network.addrs()[0])).fetched, 3)
      await waitFor(() => c.node.counts().entries === 3, 20_000, 'C to hear of the 3 versions B recovered')
      await Promise.all(many.map(async jws => a.node.publish(jws)))
      assert.equal((await b.network.syncWith(a.network.addrs()[0])).fetched, 100)
      // a version published on B after the session reaches C after anything B gossiped before it
      await b.node.publish(marker[0])
      await waitFor(() => c.node.counts().entries >= 4, 20_000, 'C to hear of the version published on B')
      assert.equal(c.node.counts().entries, 4)
    } finally {
      await stopMembers([a, b, c])
    }
  })

  it('runs one session per pair of peers at a time, whichever side asks', async () => {
    const full = await startMember([], { gossip: false, sync: { onConnect: false } })
    const joiner = await startMember(full.network.addrs(), { gossip: false, sync: { onConnect: false } })
    const sent = async (m: NetworkMember): Promise<number> => Number((await m.node.metrics.registry.metrics()).match(/gxcat_sync_versions_total\{direction="sent"\} (\d+)/)?.[1] ?? 0)
    try {
      await Promise.all((await generateJws(1500, { seed: 74 })).map(async jws => full.node.publish(jws)))
      await waitFor(() => joiner.network.libp2p.getPeers().length > 0, 10_000, 'the joiner to connect')
      // the joiner asks twice at once, and the full node asks too while the joiner is catching up from it
      const first = joiner.network.syncWith(full.network.peerId())
      const second = joiner.network.syncWith(full.network.peerId())
      await waitFor(() => joiner.node.counts().entries > 0, 20_000, 'the first session to be under way')
      const reverse = await full.network.syncWith(joiner.network.peerId())
      const [a, b] = await Promise.all([first, second])
      assert.equal(a.fetched + b.fetched + reverse.pushed, 1500)
      assert.equal(joiner.node.counts().entries, 1500)
      assert.equal(await sent(full), 1500, 'every version crossed once')
      assert.equal(reverse.have, 0, 'the full node\'s session waited for the one the joiner started')
    } finally {
      await stopMembers([full, joiner])
    }
  })

  it('fetches a version two peers both offer once, not once per peer', async () => {
    const { a, b, joiner } = await twoFullNodesAndAJoiner(75)
    const received = async (): Promise<number> => Number((await joiner.node.metrics.registry.metrics()).match(/gxcat_sync_versions_total\{direction="received"\} (\d+)/)?.[1] ?? 0)
    try {
      const [fromA, fromB] = await Promise.all([joiner.network.syncWith(a.network.peerId()), joiner.network.syncWith(b.network.peerId())])
      assert.equal(joiner.node.counts().entries, 600)
      assert.equal(fromA.need + fromB.need, 600, 'each missing version was asked of one peer only')
      assert.equal(fromA.fetched + fromB.fetched, 600)
      assert.equal(await received(), 600)
    } finally {
      await stopMembers([a, b, joiner])
    }
  })

  it('takes a version two peers offer at once from one of them only', async () => {
    const { a, b, joiner } = await twoFullNodesAndAJoiner(76)
    try {
      // both full nodes start a session with the joiner at the same time: each offers all 600
      const [toJoinerFromA, toJoinerFromB] = await Promise.all([a.network.syncWith(joiner.network.peerId()), b.network.syncWith(joiner.network.peerId())])
      assert.equal(joiner.node.counts().entries, 600)
      assert.equal(toJoinerFromA.have + toJoinerFromB.have, 1200, 'both offered every version')
      assert.equal(toJoinerFromA.pushed + toJoinerFromB.pushed, 600, 'each version crossed once')
      assert.doesNotMatch(await joiner.node.metrics.registry.metrics(), /gxcat_ingests_total\{status="duplicate",source="sync"\} [1-9]/)
    } finally {
      await stopMembers([a, b, joiner])
    }
  })

  it('survives a peer that sends bad sync frames, and stores nothing from it', async () => {
    const victim = await startMember()
    const attacker = await startMember([], { sync: { onConnect: false } })
    try {
      const frames: Uint8Array[] = [
        new TextEncoder().encode('not a frame'),
        Uint8Array.from([1, 0xa0, 0x9c, 0x01]), // rec with 20,000 ranges announced
        encodeFrame({ t: 'items', items: ['forged.jws.here'] }),
        Uint8Array.from([2, 1, 0x78]) // want one id, one byte long
      ]
      // a length prefix far beyond the frame limit first, then bad frames, until the victim hangs up
      const oversized = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x7f])
      let refused = 0
      for (const frame of [oversized, ...frames]) {
        let stream
        try {
          stream = await attacker.network.libp2p.dialProtocol(multiaddr(victim.network.addrs()[0]), SYNC_PROTOCOL, { signal: AbortSignal.timeout(5000) })
        } catch {
          refused++ // disconnected and refused after repeated breaches
          continue
        }
        if (frame === oversized) stream.send(frame)
        else await lpStream(stream).write(frame).catch(() => {})
        await lpStream(stream).read({ signal: AbortSignal.timeout(5000) }).catch(() => {})
        stream.abort(new Error('done'))
      }
      assert.ok(refused >= 1, 'the victim hung up on the attacker')

      assert.equal(victim.node.counts().versions, 0)
      const [jws] = await generateJws(1, { seed: 71 })
      assert.equal((await victim.node.publish(jws)).status, 'active') // still serving
      const metrics = await victim.node.metrics.registry.metrics()
      assert.match(metrics, /gxcat_sync_sessions_total\{role="responder",result="Sync(Protocol|Limit)Error"\} [1-9]/)
    } finally {
      await stopMembers([victim, attacker])
    }
  })
})
