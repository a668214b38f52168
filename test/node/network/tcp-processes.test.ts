import assert from 'node:assert/strict'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CATALOGUE_TOPIC } from '../../../protocols/constants.ts'
import { encodeGossipMessage } from '../../../protocols/gossip/index.ts'
import { createAttacker } from '../../fixtures/attacker.ts'
import { didOf, generateIssuerKey, signCredential, signRevocation } from '../../../protocols/self-description/index.ts'
import { gxcat } from '../../fixtures/cli.ts'
import { entryUrl, startCliNode, type CliNode } from '../../fixtures/cli-node.ts'
import { b64u, decodePart } from '../../fixtures/jws.ts'
import { get, post, tempDir } from '../../fixtures/node.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { waitFor } from '../../fixtures/wait.ts'

async function entryCid (node: CliNode, issuer: string, subject: string): Promise<string | undefined> {
  const r = await get(entryUrl(node, issuer, subject))
  return r.status === 200 ? `${r.body.cid}:${r.body.status}` : undefined
}

describe('a network of gxcat processes over TCP on 127.0.0.1', function () {
  this.timeout(240_000)
  let dir: string
  let boot: CliNode
  const nodes: CliNode[] = []
  let quiet: CliNode | undefined
  const key = generateIssuerKey()
  const issuer = didOf(key.kid)
  const listen = ['--listen', '/ip4/127.0.0.1/tcp/0']

  before(async () => {
    dir = await tempDir()
    const list = join(dir, 'bootstrap.txt')
    boot = await startCliNode(join(dir, 'boot'), [...listen, '--write-list', list], {}, 'bootstrap')
    assert.match(await readFile(list, 'utf8'), /\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)
    for (let i = 0; i < 4; i++) nodes.push(await startCliNode(join(dir, `n${i}`), [...listen, '--bootstrap', list]))
    await waitFor(async () => {
      const peers = await Promise.all(nodes.map(async n => (await get(`${n.url}/v1/status`)).body.peers))
      return peers.every(p => p >= 3)
    }, 60_000, 'every node to see 3 peers')
  })

  after(async () => {
    await Promise.all([boot, quiet, ...nodes].filter(n => n != null).map(async n => n.stop()))
    await rm(dir, { recursive: true, force: true })
  })

  it('shows the mesh through gxcat peers and /v1/peers', async () => {
    const peers = await get(`${boot.url}/v1/peers`)
    assert.ok(peers.body.peers.length >= 4)
    const status = await get(`${nodes[0].url}/v1/status`)
    assert.match(status.body.peerId, /^12D3KooW/)
    // on loopback every address is private: the nodes serve the DHT, and the bootstrap node is public by definition
    assert.deepEqual([status.body.reachability, status.body.dht], ['public', 'server'])
    assert.match(status.body.reason, /private network/)
    const bootStatus = (await get(`${boot.url}/v1/status`)).body
    assert.deepEqual([bootStatus.reachability, bootStatus.dht, bootStatus.reason], ['public', 'server', 'set public (--reachability public, or the default of gxcat bootstrap)'])
    assert.ok(status.body.addrs.some((a: string) => a.startsWith('/ip4/127.0.0.1/tcp/')))
  })

  it('gossips a self-description published on one node to all the others, then its newer version and its revocation', async () => {
    const subject = 'https://provider.example/services/gossiped'
    const first = await post(`${nodes[0].url}/v1/self-descriptions`, await signCredential(serviceOffering(subject), key, { validFrom: '2026-01-01T00:00:00Z' }))
    assert.equal(first.status, 201)
    await waitFor(async () => (await Promise.all([boot, ...nodes].map(async n => entryCid(n, issuer, subject)))).every(c => c === `${first.body.cid}:active`), 30_000, 'the entry on every node')

    const second = await post(`${nodes[1].url}/v1/self-descriptions`, await signCredential({ ...serviceOffering(subject), 'schema:name': 'Renamed' }, key, { validFrom: '2026-02-01T00:00:00Z' }))
    assert.equal(second.status, 201)
    await waitFor(async () => (await Promise.all([boot, ...nodes].map(async n => entryCid(n, issuer, subject)))).every(c => c === `${second.body.cid}:active`), 30_000, 'the newer version on every node')

    const revoked = await post(`${nodes[2].url}/v1/revocations`, await signRevocation(subject, key), 'text/plain')
    assert.equal(revoked.status, 201)
    await waitFor(async () => (await Promise.all([boot, ...nodes].map(async n => entryCid(n, issuer, subject)))).every(c => c === `${second.body.cid}:revoked`), 30_000, 'the revocation on every node')
  })

  it('lets a node without gossip fetch an entry by id through the DHT', async () => {
    const q = quiet = await startCliNode(join(dir, 'quiet'), [...listen, '--bootstrap', boot.output().match(/\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+/)?.[0] as string, '--no-gossip'])
    // connected to every other node before the publish: a later connection would start a sync
    // session, which would hand the quiet node the entry before the DHT is asked
    await waitFor(async () => (await get(`${q.url}/v1/status`)).body.peers >= 1 + nodes.length, 30_000, 'the quiet node to connect to all')
    // and the sessions of those meetings over: one still queued would hand it the entry too
    await waitFor(async () => syncSessions(await (await fetch(`${q.url}/metrics`)).text()) >= 1 + nodes.length, 30_000, 'the quiet node\'s first sync sessions to end')
    const subject = 'https://provider.example/services/in-the-dht'
    const published = await post(`${nodes[3].url}/v1/self-descriptions`, await signCredential(serviceOffering(subject), key))
    assert.equal(published.status, 201)
    // gossip reaches the others, never the quiet node
    await waitFor(async () => (await entryCid(nodes[0], issuer, subject)) != null, 30_000, 'gossip to reach node 0')
    assert.equal((await get(entryUrl(q, issuer, subject))).status, 404)
    let found: any
    await waitFor(async () => {
      const r = await get(entryUrl(q, issuer, subject, true))
      found = r.body
      return r.status === 200
    }, 60_000, 'the DHT lookup to find the entry')
    assert.equal(found.cid, published.body.cid)
    assert.equal((await get(entryUrl(q, issuer, subject))).status, 200) // now in its replica
  })

  it('syncs on demand with gxcat sync --peer', async () => {
    const q = quiet as CliNode
    const subject = 'https://provider.example/services/synced'
    const published = await post(`${nodes[0].url}/v1/self-descriptions`, await signCredential(serviceOffering(subject), key))
    assert.equal(published.status, 201)
    const peer = (await get(`${nodes[0].url}/v1/status`)).body.peerId
    const run = await gxcat(['sync', '--node', q.url, '--peer', peer])
    assert.equal(run.code, 0, run.stderr)
    const stats = JSON.parse(run.stdout)
    assert.equal(stats.peer, peer)
    assert.ok(stats.rounds >= 1 && stats.bytesSent > 0, run.stdout) // the entry may have come already, by a sync on a new connection
    assert.equal((await entryCid(q, issuer, subject)), `${published.body.cid}:active`)
    const metrics = await (await fetch(`${q.url}/metrics`)).text()
    assert.match(metrics, /gxcat_sync_bytes_total\{direction="received"\} [1-9]/)
  })

  it('never stores or forwards a forged message injected by a test peer, and scores the sender down', async () => {
    const target = nodes[3]
    const targetAddr = (await get(`${target.url}/v1/status`)).body.addrs.find((a: string) => a.startsWith('/ip4/127.0.0.1/tcp/'))
    const attacker = await createAttacker('tcp')
    try {
      await attacker.dial(multiaddr(targetAddr))
      await waitFor(() => attacker.services.pubsub.getSubscribers(CATALOGUE_TOPIC).length > 0, 20_000, 'the attacker to see the target subscribed')

      const forgedSubject = 'https://mallory.example/services/forged'
      const genuine = await signCredential(serviceOffering(forgedSubject), key)
      const payload = decodePart(genuine, 1)
      payload.credentialSubject['gx:name'] = 'Forged'
      const [h, , s] = genuine.split('.')
      const forged = `${h}.${b64u(payload)}.${s}`
      await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws: forged }))
      await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws: 'garbage' }))
      // a valid message sent after them: once it is everywhere, the forged ones were judged
      const markerSubject = 'https://provider.example/services/after-the-forgery'
      const marker = await signCredential(serviceOffering(markerSubject), key)
      await attacker.services.pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws: marker }))
      await waitFor(async () => (await Promise.all([boot, ...nodes].map(async n => entryCid(n, issuer, markerSubject)))).every(c => c != null), 30_000, 'the marker on every node')

      for (const node of [boot, ...nodes]) assert.equal((await get(entryUrl(node, issuer, forgedSubject))).status, 404)
      const metrics = await (await fetch(`${target.url}/metrics`)).text()
      const rejected = Number(/gxcat_gossip_messages\{result="rejected"\} (\d+)/.exec(metrics)?.[1])
      assert.ok(rejected >= 2, `the target rejected ${rejected} messages`)
      // scores are recomputed at gossipsub heartbeats
      await waitFor(async () => {
        const seen = (await get(`${target.url}/v1/peers`)).body.peers.find((p: any) => p.peerId === attacker.peerId.toString())
        return seen?.score < 0
      }, 15_000, "the attacker's score on the target to drop below 0")
    } finally {
      await attacker.stop()
    }
  })
})

/** Sync sessions a node has ended, in either role, from its Prometheus metrics. */
function syncSessions (metrics: string): number {
  return [...metrics.matchAll(/^gxcat_sync_sessions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)
}
