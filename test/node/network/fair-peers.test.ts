/**
 * Fair peers: a peer that floods valid entries is throttled, then penalised and disconnected;
 * an issuer that floods versions of one entry gets a few through per window, wherever they
 * come from.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { CATALOGUE_TOPIC, GX_DEVELOPMENT, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { encodeGossipMessage } from '../../../protocols/gossip/index.ts'
import { generateIssuerKey, signJws, didOf } from '../../../protocols/self-description/index.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { createAttacker } from '../../fixtures/attacker.ts'
import { startMemoryNetwork, waitForMesh } from '../../fixtures/network.ts'
import { post, startTestNode } from '../../fixtures/node.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { waitFor } from '../../fixtures/wait.ts'

describe('fair peers', function () {
  this.timeout(120_000)

  it('throttles a peer that floods valid entries, then disconnects it, and keeps taking honest gossip', async () => {
    const { members, stop } = await startMemoryNetwork(2, { gossipPeerLimit: { messages: 40, windowMs: 60_000 } })
    const attacker = await createAttacker('memory')
    try {
      await waitForMesh(members, 1)
      const target = members[1].network
      await attacker.dial(multiaddr(target.addrs()[0]))
      await waitFor(() => attacker.services.pubsub.getSubscribers(CATALOGUE_TOPIC).length > 0, 20_000, 'the attacker to see the target subscribed')
      const flood = await generateJws(150, { seed: 91 })
      for (const jws of flood) await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws })).catch(() => {})
      const targetId = target.libp2p.peerId.toString()
      await waitFor(() => attacker.getPeers().every(p => p.toString() !== targetId), 30_000, 'the target to hang up on the flooding peer')
      assert.ok(members[1].node.counts().entries <= 40, `stored ${members[1].node.counts().entries} of the flood`)
      assert.ok(target.counters.throttled > 0)

      const [honest] = await generateJws(1, { seed: 92 })
      const published = await members[0].node.publish(honest)
      await waitFor(() => members[1].node.store.getHead(published.entry) != null, 20_000, 'honest gossip to arrive')
    } finally {
      await attacker.stop()
      await stop()
    }
  })

  it('takes a few new versions of one entry per window and answers the rest 429 with Retry-After', async () => {
    const t = await startTestNode({ node: { entryVersions: { versions: 5, windowMs: 60_000 } } })
    try {
      const key = generateIssuerKey()
      const statuses: number[] = []
      let retryAfter: string | undefined
      for (let i = 0; i < 12; i++) {
        const jws = await signJws({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), credentialSubject: serviceOffering('https://so.example/flooded') }, key, { typ: 'vc+ld+json+jwt' })
        const r = await fetch(`${t.url}/v1/self-descriptions`, { method: 'POST', headers: { 'content-type': 'application/vc+jwt' }, body: jws })
        statuses.push(r.status)
        if (r.status === 429) {
          retryAfter = r.headers.get('retry-after') ?? undefined
          assert.equal((await r.json()).error.name, 'EntryRateLimitedError')
        }
      }
      assert.deepEqual(statuses.slice(0, 5), [201, 201, 201, 201, 201])
      assert.ok(statuses.slice(5).every(s => s === 429), statuses.join(' '))
      assert.ok(Number(retryAfter) > 0)
      assert.equal(t.node.counts().versions, 5)
      // the head again is not a new version: no 429
      const again = await post(`${t.url}/v1/self-descriptions`, await signJws({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)).toISOString(), credentialSubject: serviceOffering('https://so.example/flooded') }, key, { typ: 'vc+ld+json+jwt' }))
      assert.equal(again.body.status, 'stale')
    } finally {
      await t.destroy()
    }
  })
})
