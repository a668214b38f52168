/**
 * Fair peers: a peer that floods valid entries is throttled, then penalised and disconnected;
 * an issuer that floods versions of one entry gets a few through per window, wherever they
 * come from.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { CATALOGUE_TOPIC, CLOCK_TOLERANCE_MS, GX_DEVELOPMENT, SYNC_PROTOCOL, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { decodeFrame, encodeFrame } from '../../../protocols/sync/index.ts'
import { encodeGossipMessage } from '../../../protocols/gossip/index.ts'
import { createDidResolver, generateIssuerKey, signCredential, signJws, didOf, versionCid } from '../../../protocols/self-description/index.ts'
import { createServer } from 'node:http'
import { generateJws } from '../../../simulations/generator.ts'
import { createAttacker } from '../../fixtures/attacker.ts'
import { startMember, startMemoryNetwork, stopMembers, waitForMesh } from '../../fixtures/network.ts'
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
    const t = await startTestNode({ node: { entryVersions: { versions: 5, windowMs: 60_000 }, keepVersions: 10 } })
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

describe('fair peers in sync', function () {
  this.timeout(120_000)

  it('takes what a peer offers up to its limit, tells it to stop, and pulls the rest itself; a peer that offers on, or pushes unasked, is cut off', async () => {
    const { members, stop } = await startMemoryNetwork(2, { gossip: false, sync: { onConnect: false, peerPushes: { versions: 300, windowMs: 60_000 } } })
    const attacker = await createAttacker('memory')
    try {
      const [pusher, taker] = members
      const credentials = await generateJws(600, { seed: 93 })
      await Promise.all(credentials.map(async jws => pusher.node.publish(jws)))
      await waitFor(() => pusher.network.libp2p.getPeers().length > 0, 20_000, 'the two nodes to connect')

      // an honest offerer stops when told; nothing counts against it
      const pushed = await pusher.network.syncWith(taker.network.peerId())
      assert.equal(pushed.pushed, 300)
      assert.equal(pushed.deferred, 600 - 300)
      assert.equal(taker.node.counts().entries, 300)
      assert.equal(pusher.network.libp2p.getPeers().length, 1, 'the honest offerer is still connected')
      // the taker pulls the rest at its own pace
      const pulled = await taker.network.syncWith(pusher.network.peerId())
      assert.equal(pulled.fetched, 600 - 300)
      assert.equal(taker.node.counts().entries, 600)

      // a rogue peer that goes on offering after being told to stop ends its session with SyncLimitError
      await attacker.dial(multiaddr(taker.network.addrs()[0]))
      const flood = await generateJws(3 * 256, { seed: 94 })
      const floodIds = flood.map(jws => versionCid(jws).multihash.digest)
      const offering = lpStream(await attacker.dialProtocol(multiaddr(taker.network.addrs()[0]), SYNC_PROTOCOL))
      const byId = new Map(flood.map((jws, i) => [Buffer.from(floodIds[i]).toString('hex'), jws]))
      /** offers ids, answers the taker's wants, and says how the offer ended */
      const offer = async (ids: Uint8Array[]): Promise<string> => {
        try {
          await offering.write(encodeFrame({ t: 'offer', ids }))
          for (;;) {
            const frame = decodeFrame((await offering.read({ signal: AbortSignal.timeout(10_000) })).subarray())
            if (frame.t === 'ack') return `ack ${frame.stored}${frame.full === true ? ' full' : ''}`
            if (frame.t !== 'want') return frame.t
            await offering.write(encodeFrame({ t: 'items', items: frame.ids.map(id => byId.get(Buffer.from(id).toString('hex')) as string) }))
          }
        } catch {
          return 'closed'
        }
      }
      const answers: string[] = []
      for (let i = 0; i < 3 * 256; i += 256) answers.push(await offer(floodIds.slice(i, i + 256)))
      // its own limit of 300: 256, then the 44 left of it, then nothing
      assert.deepEqual(answers, ['ack 256', 'ack 44 full', 'closed'])
      // and one that pushes versions nobody asked for, with SyncProtocolError
      const pushing = lpStream(await attacker.dialProtocol(multiaddr(taker.network.addrs()[0]), SYNC_PROTOCOL))
      await pushing.write(encodeFrame({ t: 'items', items: flood.slice(0, 10) }))
      const unasked = await pushing.read({ signal: AbortSignal.timeout(10_000) }).then(bytes => decodeFrame(bytes.subarray()).t, () => 'closed')
      assert.equal(unasked, 'closed')
      assert.equal(taker.node.counts().entries, 600 + 300, 'nothing past the limit was stored')
      const metrics = await taker.node.metrics.registry.metrics()
      assert.match(metrics, /gxcat_sync_sessions_total\{role="responder",result="SyncLimitError"\} [1-9]/)
      assert.match(metrics, /gxcat_sync_sessions_total\{role="responder",result="SyncProtocolError"\} [1-9]/)
    } finally {
      await attacker.stop()
      await stop()
    }
  })
})

describe('fair blame for did:web hosts', function () {
  this.timeout(60_000)

  it('a did:web host that trickles its answer fails its own credentials, never the peer that relayed them', async () => {
    const hosts = Array.from({ length: 5 }, (_, i) => `trickle${i}.example`)
    const keys = hosts.map(host => ({ ...generateIssuerKey(), kid: `did:web:${host}#key-1` }))
    const documentOf = (i: number): string => {
      const { d: _d, kid, ...publicJwk } = keys[i]
      const did = kid.split('#')[0]
      return JSON.stringify({ id: did, verificationMethod: [{ id: kid, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk }], assertionMethod: [kid] })
    }
    // the relay's view of the hosts: they answer; the receiver's: they answer 200 and then trickle
    let trickled = 0
    const server = createServer((request, response) => {
      const [, host, where] = new URL(request.url ?? '/', 'http://x').pathname.split('/')
      const i = hosts.indexOf(host)
      if (where === 'good') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(documentOf(i))
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => response.write(' '), 50)
      response.on('close', () => { clearInterval(timer); trickled++ })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const relayResolver = createDidResolver({ originOverrides: hosts.map(h => `${h}=${url}/${h}/good`) })
    const receiverResolver = createDidResolver({ originOverrides: hosts.map(h => `${h}=${url}/${h}/slow`), timeoutMs: 400 })
    const relay = await startMember([], { sync: { onConnect: false } }, { resolver: relayResolver })
    const receiver = await startMember(relay.network.addrs(), { sync: { onConnect: false } }, { resolver: receiverResolver })
    try {
      await waitForMesh([relay, receiver], 1)
      const relayId = relay.network.peerId()
      const scoreOf = (): number | undefined => receiver.network.peers().find(p => p.peerId === relayId)?.score
      const before = scoreOf()
      assert.ok(before != null && before >= 0)
      for (const key of keys) {
        const jws = await signCredential(serviceOffering(`https://${key.kid.split(':')[2].split('#')[0]}/so`), key, { validFrom: '2026-01-01T00:00:00Z' })
        assert.equal((await relay.node.publish(jws)).status, 'active')
      }
      await waitFor(() => trickled === hosts.length, 20_000, 'the receiver to give up on every trickling host')
      // an honest message after them still arrives: the relay is connected and trusted
      const [honest] = await generateJws(1, { seed: 95 })
      const published = await relay.node.publish(honest)
      await waitFor(() => receiver.node.store.getHead(published.entry) != null, 20_000, 'the honest message to arrive')
      assert.equal(receiver.node.counts().entries, 1, 'nothing of the trickling hosts was stored')
      const after = scoreOf()
      assert.ok(after != null && after >= (before as number), `the relay's score fell from ${before} to ${after}`)
    } finally {
      await stopMembers([relay, receiver])
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })
})

describe('fair blame for time', function () {
  this.timeout(60_000)

  it('never blames a peer for a credential that expired while it held it, nor fetches that one again', async () => {
    const holder = await startMember([], { sync: { onConnect: false } })
    const joiner = await startMember([], { sync: { onConnect: false } })
    try {
      const key = generateIssuerKey()
      // valid when the holder took it (within the clock tolerance), expired past it a moment later
      const validUntil = new Date(Date.now() - CLOCK_TOLERANCE_MS + 1000).toISOString()
      const expiring = await signJws({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: didOf(key.kid), validFrom: '2026-01-01T00:00:00Z', validUntil, credentialSubject: serviceOffering('https://so.example/expiring') }, key, { typ: 'vc+ld+json+jwt' })
      const [lasting] = await generateJws(1, { seed: 96 })
      assert.equal((await holder.node.publish(expiring)).status, 'active')
      assert.equal((await holder.node.publish(lasting)).status, 'active')
      await waitFor(() => Date.now() > Date.parse(validUntil) + CLOCK_TOLERANCE_MS + 50, 5000, 'the credential to expire beyond the clock tolerance')

      const first = await joiner.network.syncWith(holder.network.addrs()[0].toString())
      assert.equal(first.invalid, 0, 'the holder was blamed for a credential that expired')
      assert.equal(joiner.node.counts().entries, 1, 'the joiner took the lasting credential, not the expired one')
      const second = await joiner.network.syncWith(holder.network.addrs()[0].toString())
      assert.equal(second.invalid, 0)
      assert.equal(second.fetched, 0, 'the expired credential was fetched again')
    } finally {
      await stopMembers([holder, joiner])
    }
  })

  for (const [how, newKid] of [['to a new key id', 'key-2'], ['under the same key id (a renewed certificate)', 'key-1']]) {
    it(`never blames a peer in sync for a credential whose issuer has since rotated its key, ${how}`, async () => {
      await rotationTest(newKid)
    })
  }

  async function rotationTest (newKid: string): Promise<void> {
    const host = `rotating-${newKid}.example`
    const did = `did:web:${host}`
    const [oldKey, newKey] = [{ ...generateIssuerKey(), kid: `${did}#key-1` }, { ...generateIssuerKey(), kid: `${did}#${newKid}` }]
    let published = oldKey
    const server = createServer((_request, response) => {
      const { d: _d, kid, ...publicJwk } = published
      response.writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: did, verificationMethod: [{ id: kid, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk }], assertionMethod: [kid] }))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const origin = `${host}=http://127.0.0.1:${(server.address() as { port: number }).port}`
    const holder = await startMember([], { sync: { onConnect: false } }, { resolver: createDidResolver({ originOverrides: [origin] }) })
    const joiner = await startMember([], { sync: { onConnect: false } }, { resolver: createDidResolver({ originOverrides: [origin] }) })
    try {
      const jws = await signCredential(serviceOffering(`https://${host}/so`), oldKey, { validFrom: '2026-01-01T00:00:00Z' })
      assert.equal((await holder.node.publish(jws)).status, 'active')
      published = newKey // the issuer's DID document names only its new key now
      const stats = await joiner.network.syncWith(holder.network.addrs()[0].toString())
      assert.equal(stats.invalid, 0, 'the holder was blamed for the issuer\'s key rotation')
      assert.equal(joiner.node.counts().entries, 0)
      assert.equal((await joiner.network.syncWith(holder.network.addrs()[0].toString())).fetched, 0, 'the refused version was fetched again')
    } finally {
      await stopMembers([holder, joiner])
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
})
