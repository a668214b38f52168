import assert from 'node:assert/strict'
import { createTrustPolicy } from '../../../protocols/self-description/index.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { startMember, stopMembers, waitForMesh } from '../../fixtures/network.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { partitionGater } from '../../../simulations/partition-gater.ts'

describe('trust policy and gossip', function () {
  this.timeout(60_000)

  it('a node under anchors does not store what it does not trust, but passes it on', async () => {
    // a line: open A — anchors B — open C; A and C may not connect, so C hears only through B
    const ids = { a: '', c: '' }
    const a = await startMember([], { connectionGater: partitionGater(peer => peer !== ids.c) })
    ids.a = a.network.peerId()
    const b = await startMember(a.network.addrs(), {}, { trust: createTrustPolicy({ mode: 'anchors', issuers: ['did:web:only-this-one.example'] }) })
    const c = await startMember(b.network.addrs(), { connectionGater: partitionGater(peer => peer !== ids.a) })
    ids.c = c.network.peerId()
    const members = [a, b, c]
    try {
      await waitForMesh(members, 1)
      const credentials = await generateJws(5, { seed: 71 })
      for (const jws of credentials) await a.node.publish(jws)
      await waitFor(() => c.node.counts().entries === 5, 30_000, 'C to hold the 5 entries that B forwarded')
      assert.equal(b.node.counts().entries, 0)
      assert.ok(!a.network.libp2p.getPeers().some(p => p.toString() === ids.c))
    } finally {
      await stopMembers(members)
    }
  })

  it('sync does not fetch again what the trust policy refused', async () => {
    const a = await startMember([], { sync: { onConnect: false } })
    const b = await startMember(a.network.addrs(), { sync: { onConnect: false } }, { trust: createTrustPolicy({ mode: 'anchors', issuers: ['did:web:only-this-one.example'] }) })
    try {
      for (const jws of await generateJws(20, { seed: 72 })) await a.node.publish(jws)
      await waitFor(() => b.network.libp2p.getPeers().length > 0, 10_000, 'B to connect to A')
      const first = await b.network.syncWith(a.network.peerId())
      assert.equal(first.need, 20)
      assert.equal(first.fetched, 0)
      assert.equal(first.invalid, 0)
      const second = await b.network.syncWith(a.network.peerId())
      assert.equal(second.need, 0)
      assert.equal(b.node.counts().entries, 0)
    } finally {
      await stopMembers([a, b])
    }
  })
})
