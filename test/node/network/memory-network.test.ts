import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { CATALOGUE_TOPIC, DHT_PROTOCOL, PEER_LIST_PROTOCOL } from '../../../protocols/constants.ts'
import { encodeGossipMessage } from '../../../protocols/gossip/index.ts'
import { createAttacker } from '../../fixtures/attacker.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { startMemoryNetwork, waitForMesh, type NetworkMember } from '../../fixtures/network.ts'
import { waitFor } from '../../fixtures/wait.ts'

describe('an in-process network of 20 nodes on the memory transport', function () {
  this.timeout(180_000)
  let members: NetworkMember[]
  let stop: () => Promise<void>

  before(async () => {
    ({ members, stop } = await startMemoryNetwork(20))
    await waitForMesh(members, 3)
  })

  after(async () => { await stop?.() })

  it('gives every node every entry of 100 published ones', async () => {
    const credentials = await generateJws(100, { seed: 41 })
    // publish from different nodes, as participants would
    const results = await Promise.all(credentials.map(async (jws, i) => members[(i * 7) % members.length].node.publish(jws)))
    assert.ok(results.every(r => r.status === 'active'))
    await waitFor(() => members.every(m => m.node.counts().entries === 100), 120_000, 'all 20 nodes to hold 100 entries')
    for (const { node } of members) {
      const cids = new Set<string>()
      let cursor: string | undefined
      do {
        const page = await node.list({ limit: 1000, cursor })
        for (const item of page.items) cids.add(item.cid)
        cursor = page.next
      } while (cursor != null)
      assert.deepEqual([...cids].sort(), results.map(r => r.cid).sort())
    }
  })
})

describe('a peer that sends garbage', function () {
  this.timeout(60_000)

  it('is disconnected after repeated invalid gossip and on our protocols, and the nodes keep serving', async () => {
    const { members, stop } = await startMemoryNetwork(3)
    const attacker = await createAttacker('memory')
    try {
      await waitForMesh(members, 2)
      const target = members[1].network
      await attacker.dial(multiaddr(target.addrs()[0]))
      await waitFor(() => attacker.services.pubsub.getSubscribers(CATALOGUE_TOPIC).length > 0, 20_000, 'the attacker to see the target subscribed')

      // garbage on the peer-list and DHT protocols: answered or dropped, nothing breaks
      for (const protocol of [PEER_LIST_PROTOCOL, DHT_PROTOCOL]) {
        const stream = await attacker.dialProtocol(multiaddr(target.addrs()[0]), protocol)
        stream.send(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))
        await stream.close().catch(() => {})
      }

      for (let i = 0; i < 5; i++) {
        await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws: `garbage-${i}` })).catch(() => {})
      }
      const targetId = target.libp2p.peerId.toString()
      await waitFor(() => attacker.getPeers().every(p => p.toString() !== targetId), 20_000, 'the target to hang up on the attacker')
      await assert.rejects(attacker.dial(multiaddr(target.addrs()[0]), { signal: AbortSignal.timeout(5000) }))

      const [jws] = await generateJws(1, { seed: 77 })
      await members[0].node.publish(jws)
      await waitFor(() => members.every(m => m.node.counts().entries === 1), 20_000, 'a genuine entry to reach every node')
      assert.equal(target.counters.rejected >= 3, true)
    } finally {
      await attacker.stop()
      await stop()
    }
  })
})
