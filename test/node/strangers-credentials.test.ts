/**
 * What a stranger's credential may cost a node, and what the node may believe of it: a subject
 * id that is no IRI is refused by name wherever the credential comes from (before, Oxigraph
 * dropped the subject and the closed shapes judged an empty graph: such a credential was stored
 * as checked); a credential past the value limits is refused by name before its signature and
 * shapes; a peer that gossips costly credentials loses score while honest publishes go on; a
 * peer's new entries are bounded per window.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { CATALOGUE_TOPIC, GX_DEVELOPMENT, VC2_CONTEXT } from '../../protocols/constants.ts'
import { encodeGossipMessage } from '../../protocols/gossip/index.ts'
import {
  credentialTypes, didOf, entryId, expandTerm, generateIssuerKey, readContexts, signJws, versionCidText, type IssuerKey, type VerifiedCredential
} from '../../protocols/self-description/index.ts'
import { indexTerms } from '../../node/query/index-terms.ts'
import { generateJws } from '../../simulations/generator.ts'
import { createAttacker } from '../fixtures/attacker.ts'
import { startMemoryNetwork } from '../fixtures/network.ts'
import { post, startTestNode } from '../fixtures/node.ts'
import { serviceOffering } from '../fixtures/subjects.ts'
import { waitFor } from '../fixtures/wait.ts'
import type { CatalogueNode } from '../../node/catalogue-node.ts'

/** the seven subject ids of the attack run: none is an IRI */
const NOT_IRIS = ['not an iri', 'a!b!c', 'https://provider.example/with space', 'urn:x:nul\u0000', 'urn:x:<angle>', 'urn:x:\uffff', 'urn:x:tab\there']

/** A ServiceOffering that breaks the closed development shape (an unknown gx:evil, no terms and conditions), signed as given. */
async function breakingOffering (id: string, key: IssuerKey): Promise<string> {
  const subject: Record<string, unknown> = { ...serviceOffering(id), 'gx:evil': 'payload' }
  delete subject['gx:serviceOfferingTermsAndConditions']
  return signJws({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], id: `urn:uuid:${crypto.randomUUID()}`, issuer: didOf(key.kid), validFrom: '2026-01-01T00:00:00Z', credentialSubject: subject }, key, { typ: 'vc+ld+json+jwt', cty: 'vc' })
}

/** A valid development ServiceOffering with `keywords` short keywords, from a fresh did:key. */
async function costlyOffering (keywords: number): Promise<string> {
  const key = generateIssuerKey()
  const subject = { ...serviceOffering(`https://costly.example/${crypto.randomUUID()}`), 'gx:keyword': Array.from({ length: keywords }, (_, i) => `k${i}`) }
  return signJws({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: '2026-01-01T00:00:00Z', credentialSubject: subject }, key, { typ: 'vc+ld+json+jwt', cty: 'vc' })
}

/** Stores a credential without any check, as a node that took it before the checks existed (or a hostile one) holds it. */
async function storeUnchecked (node: CatalogueNode, jws: string): Promise<void> {
  const credential = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'))
  const subject = credential.credentialSubject.id
  const types = [credential.credentialSubject.type, ...credentialTypes(credential)].filter(Boolean)
  const verified: VerifiedCredential = {
    jws,
    cid: versionCidText(jws),
    entry: entryId(credential.issuer, subject),
    issuer: credential.issuer,
    subject,
    types,
    typeIris: types.map((t: string) => expandTerm(t, readContexts(credential['@context']))),
    validFrom: credential.validFrom,
    credential,
    values: 0
  }
  const outcome = await node.store.addVersion(verified, indexTerms(verified))
  // as the node tells its services of what it took (sync offers it from now on)
  node.dispatchEvent(new CustomEvent('version:accepted', { detail: { verified, result: { status: 'active', cid: outcome.cid, entry: outcome.entry, issuer: verified.issuer, subject }, source: 'api' } }))
}

describe('strangers\' credentials', function () {
  this.timeout(120_000)

  it('refuses the seven subject ids that are no IRI by name, in publish and validate', async () => {
    const t = await startTestNode()
    try {
      const key = generateIssuerKey()
      for (const id of NOT_IRIS) {
        const jws = await breakingOffering(id, key)
        for (const route of ['/v1/self-descriptions', '/v1/validate']) {
          const answer = await post(`${t.url}${route}`, jws)
          assert.equal(answer.status, 400, `${route} ${JSON.stringify(id)}: ${JSON.stringify(answer.body)}`)
          assert.equal(answer.body.error.name, 'InvalidIriError', `${route} ${JSON.stringify(id)}`)
        }
        // the same credential as unsigned JSON-LD for validate
        const credential = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'))
        const unsigned = await post(`${t.url}/v1/validate`, JSON.stringify(credential), 'application/json')
        assert.equal(unsigned.body.error?.name, 'InvalidIriError', JSON.stringify(unsigned.body))
      }
      assert.equal(t.node.counts().entries, 0)
      // with an IRI for id, the same credential is judged by the closed shape
      const judged = await post(`${t.url}/v1/validate`, await breakingOffering('https://provider.example/evil', key))
      assert.equal(judged.body.conforms, false)
    } finally {
      await t.destroy()
    }
  })

  it('refuses them over gossip (the sender rejected) and in sync (counted invalid), storing none', async () => {
    const key = generateIssuerKey()
    const credentials = await Promise.all(NOT_IRIS.map(async id => breakingOffering(id, key)))
    // gossip: each is rejected by the validator
    const gossiping = await startMemoryNetwork(1)
    const attacker = await createAttacker('memory')
    try {
      const taker = gossiping.members[0]
      await attacker.dial(multiaddr(taker.network.addrs()[0]))
      await waitFor(() => attacker.services.pubsub.getSubscribers(CATALOGUE_TOPIC).length > 0, 20_000, 'the attacker to see the node subscribed')
      for (const jws of credentials.slice(0, 2)) await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws }))
      await waitFor(() => taker.network.counters.rejected >= 2, 20_000, 'the node to reject both')
      assert.equal(taker.node.counts().entries, 0)
    } finally {
      await attacker.stop()
      await gossiping.stop()
    }
    // sync: a peer that holds all seven offers them; none is stored, each counted invalid
    const syncing = await startMemoryNetwork(2, { gossip: false, sync: { onConnect: false } })
    try {
      const [holder, taker] = syncing.members
      for (const jws of credentials) await storeUnchecked(holder.node, jws)
      const stats = await taker.network.syncWith(holder.network.addrs()[0])
      assert.equal(stats.invalid, NOT_IRIS.length, JSON.stringify(stats))
      assert.equal(taker.node.counts().entries, 0)
    } finally {
      await syncing.stop()
    }
  })

  it('refuses a credential of 20,000 keywords by name in under 50 ms', async () => {
    const t = await startTestNode()
    try {
      const jws = await costlyOffering(20_000)
      assert.ok(jws.length > 150_000, `${jws.length} bytes`)
      const started = performance.now()
      await assert.rejects(t.node.publish(jws), { name: 'CredentialTooComplexError' })
      const ms = performance.now() - started
      assert.ok(ms < 50, `refused in ${ms.toFixed(1)} ms`)
      const answer = await post(`${t.url}/v1/validate`, jws)
      assert.equal(answer.body.error.name, 'CredentialTooComplexError')
    } finally {
      await t.destroy()
    }
  })

  it('keeps honest publishes under a second while a peer gossips four costly credentials, and lowers that peer\'s score', async () => {
    const { members, stop } = await startMemoryNetwork(1)
    const attacker = await createAttacker('memory')
    try {
      const target = members[0]
      await attacker.dial(multiaddr(target.network.addrs()[0]))
      await waitFor(() => attacker.services.pubsub.getSubscribers(CATALOGUE_TOPIC).length > 0, 20_000, 'the attacker to see the node subscribed')
      const costly = await Promise.all([1, 2, 3, 4].map(async () => costlyOffering(20_000)))
      const honest = await generateJws(40, { seed: 311 })
      const attackerId = attacker.peerId.toString()
      const targetId = target.network.libp2p.peerId.toString()
      const send = async (list: string[]): Promise<void> => {
        for (const jws of list) await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws })).catch(() => {})
      }
      const score = (): number => (target.network.libp2p.services.pubsub as unknown as { getScore: (peer: string) => number }).getScore(attackerId)
      const latencies: number[] = []
      const publishing = (async () => {
        for (const jws of honest) {
          const started = performance.now()
          await target.node.publish(jws)
          latencies.push(performance.now() - started)
        }
      })()
      // two: rejected, and the sender's score falls below zero while it is still connected
      await send(costly.slice(0, 2))
      await waitFor(() => target.network.counters.rejected >= 2, 20_000, 'the first two to be rejected')
      // (gossipsub computes scores at most once a heartbeat)
      await waitFor(() => score() < 0, 10_000, 'the sender\'s score to fall below zero')
      // four: it is cut off
      await send(costly.slice(2))
      await waitFor(() => attacker.getPeers().every(p => p.toString() !== targetId), 20_000, 'the node to hang up on the sender')
      await publishing
      latencies.sort((a, b) => a - b)
      const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]
      assert.ok(p99 < 1000, `honest publishes p99 ${p99.toFixed(0)} ms`)
      assert.equal(target.node.counts().entries, honest.length)
    } finally {
      await attacker.stop()
      await stop()
    }
  })

  it('takes a peer\'s new entries up to its window and ignores the rest of 2,000', async () => {
    const { members, stop } = await startMemoryNetwork(1, { gossipPeerBudget: { newEntries: { points: 300, windowMs: 60_000 } } })
    const attacker = await createAttacker('memory')
    try {
      const target = members[0]
      await attacker.dial(multiaddr(target.network.addrs()[0]))
      await waitFor(() => attacker.services.pubsub.getSubscribers(CATALOGUE_TOPIC).length > 0, 20_000, 'the attacker to see the node subscribed')
      const flood = await generateJws(2000, { seed: 312 })
      for (const jws of flood) await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws })).catch(() => {})
      const targetId = target.network.libp2p.peerId.toString()
      // past twice its window the peer's messages are rejected, and it is soon cut off
      await waitFor(() => attacker.getPeers().every(p => p.toString() !== targetId), 60_000, 'the node to hang up on the peer')
      // those admitted before it was cut off are verified and stored
      await waitFor(() => target.node.counts().entries >= 300, 30_000, 'the entries within the window to be stored')
      const stored = target.node.counts().entries
      assert.ok(stored > 0 && stored <= 300, `stored ${stored} of 2,000`)
      assert.ok(target.network.counters.throttled > 0)
    } finally {
      await attacker.stop()
      await stop()
    }
  })
})
