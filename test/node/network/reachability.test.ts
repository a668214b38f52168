/**
 * Nodes as the internet lets them meet: one that listens on WebSockets only (behind a TLS reverse
 * proxy on 443, it would announce /dns4/HOST/tcp/443/wss) takes part in gossip and sync with a
 * node on TCP and WebSockets; a node its operator calls private runs the DHT as a client, a
 * public one serves; the addresses it announces are the ones others learn.
 */
import assert from 'node:assert/strict'
import 'reflect-metadata' // @peculiar/x509 (through tsyringe) needs it loaded first
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { checkConfig, defaultConfig } from '../../../node/config.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { generateJws } from '../../../simulations/generator.ts'
import { startMember, stopMembers, waitForMesh, type NetworkMember } from '../../fixtures/network.ts'
import { get, startTestNode } from '../../fixtures/node.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { createHttpApi } from '../../../node/http/server.ts'

/** A certificate for `ip` and its key, PEM: what an operator would give a /wss listener. */
async function selfSignedCertificate (ip: string): Promise<{ cert: string, key: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto)
  const algorithm = { name: 'ECDSA', hash: 'SHA-256', namedCurve: 'P-256' }
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as CryptoKeyPair
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${ip}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: ip }])]
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  return { cert: certificate.toString('pem'), key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n` }
}

describe('reachability and WebSockets', function () {
  this.timeout(60_000)

  it('a node on WebSockets only takes part in gossip and sync', async () => {
    const members: NetworkMember[] = []
    try {
      const hub = await startMember([], { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] })
      members.push(hub)
      const wsAddr = hub.network.addrs().find(a => a.includes('/ws/'))
      assert.ok(wsAddr != null, `the hub listens on WebSockets: ${hub.network.addrs().join(' ')}`)
      // published before the WebSockets node exists: it comes by sync
      const [early, late] = await generateJws(2, { seed: 77 }).then(list => [list.slice(0, 1), list.slice(1)])
      await hub.node.publish(early[0])
      const wsOnly = await startMember([wsAddr], { listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
      members.push(wsOnly)
      assert.ok(wsOnly.network.addrs().every(a => a.includes('/ws')), wsOnly.network.addrs().join(' '))
      await waitFor(() => wsOnly.node.counts().entries === 1, 20_000, 'the WebSockets node to sync the early entry')
      assert.ok(wsOnly.network.libp2p.getConnections().every(c => c.remoteAddr.toString().includes('/ws')), 'over WebSockets')
      // published after: it comes by gossip, both ways
      await waitForMesh(members, 1)
      await hub.node.publish(late[0])
      await waitFor(() => wsOnly.node.counts().entries === 2, 20_000, 'the WebSockets node to hear a new entry by gossip')
      const [mine] = await generateJws(1, { seed: 78 })
      await wsOnly.node.publish(mine)
      await waitFor(() => hub.node.counts().entries === 3, 20_000, 'the hub to hear the WebSockets node\'s entry')
    } finally {
      await stopMembers(members)
    }
  })

  it('runs the DHT as a client where the node is private, as a server where public, and says so', async () => {
    const members: NetworkMember[] = []
    try {
      const tcp = { listen: ['/ip4/127.0.0.1/tcp/0'] }
      const open = await startMember([], { ...tcp, reachability: 'public' })
      const behindNat = await startMember(open.network.addrs(), { ...tcp, reachability: 'private' })
      members.push(open, behindNat)
      assert.equal(open.network.libp2p.services.dht?.getMode(), 'server')
      assert.equal(behindNat.network.libp2p.services.dht?.getMode(), 'client')
      assert.equal(open.network.reachability().reason, 'set public (--reachability public, or the default of gxcat bootstrap)')
      // the private node reserves a slot on the public one, and announces only the relayed address
      await waitFor(() => behindNat.network.reachability().relays.length === 1, 20_000, 'a relay reservation')
      const status = behindNat.network.reachability()
      assert.deepEqual([status.reachability, status.dht, status.relays], ['private', 'client', [open.network.peerId()]])
      assert.ok(behindNat.network.addrs().length > 0 && behindNat.network.addrs().every(a => a.includes(`/p2p/${open.network.peerId()}/p2p-circuit/p2p/${behindNat.network.peerId()}`)), behindNat.network.addrs().join(' '))
      const http = createHttpApi({ node: behindNat.node, network: behindNat.network })
      await http.listen({ host: '127.0.0.1', port: 0 })
      try {
        const reply = (await get(`http://127.0.0.1:${(http.server.address() as { port: number }).port}/v1/status`)).body
        assert.deepEqual([reply.reachability, reply.dht, reply.relays], ['private', 'client', [open.network.peerId()]])
        assert.match(reply.reason, /--reachability private/)
      } finally {
        await http.close()
      }
      // a third node reaches the private one through its relay, on a connection the relay limits
      const third = await startMember([], { ...tcp, reachability: 'public' })
      members.push(third)
      const relayed = await third.network.libp2p.dial(multiaddr(behindNat.network.addrs()[0]), { signal: AbortSignal.timeout(20_000) })
      assert.ok(relayed.remoteAddr.toString().includes('/p2p-circuit'), relayed.remoteAddr.toString())
      assert.ok(relayed.limits != null, 'a relayed connection carries the relay\'s limits')
      // identify runs over it, and tells the third node the private one can upgrade it (DCUtR)
      await waitFor(async () => (await third.network.libp2p.peerStore.get(behindNat.network.libp2p.peerId)).protocols.includes('/libp2p/dcutr'), 10_000, 'identify over the relayed connection')
    } finally {
      await stopMembers(members)
    }
  })

  it('listens on /wss with the operator\'s certificate, and a node that trusts it joins over TLS', async () => {
    const tls = await selfSignedCertificate('127.0.0.1')
    const defaults = getCACertificates('default')
    setDefaultCACertificates([...defaults, tls.cert])
    const members: NetworkMember[] = []
    try {
      const secure = await startMember([], { listen: ['/ip4/127.0.0.1/tcp/0/wss'], tls })
      members.push(secure)
      const wssAddr = secure.network.addrs().find(a => a.includes('/wss') || a.includes('/tls/ws'))
      assert.ok(wssAddr != null, secure.network.addrs().join(' '))
      const [entry] = await generateJws(1, { seed: 79 })
      await secure.node.publish(entry)
      const joiner = await startMember([wssAddr], { listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
      members.push(joiner)
      await waitFor(() => joiner.node.counts().entries === 1, 20_000, 'the joiner to sync over wss')
      assert.ok(joiner.network.libp2p.getConnections(secure.network.libp2p.peerId).some(c => /\/(wss|tls\/ws)/.test(c.remoteAddr.toString())), 'over TLS')
    } finally {
      await stopMembers(members)
      setDefaultCACertificates(defaults)
    }
    // a /wss listener without a certificate is refused before the node starts
    const config = { ...defaultConfig(), listen: ['/ip4/0.0.0.0/tcp/443/wss'] }
    assert.throws(() => checkConfig(config), /a \/wss listen address needs tlsCert and tlsKey/)
  })

  it('tells others the addresses it announces', async () => {
    const members: NetworkMember[] = []
    try {
      const announced = '/dns4/catalogue.example/tcp/443/wss'
      const proxied = await startMember([], { listen: ['/ip4/127.0.0.1/tcp/0/ws'], announce: [announced] })
      members.push(proxied)
      assert.deepEqual(proxied.network.addrs(), [`${announced}/p2p/${proxied.network.peerId()}`])
      // a node without a network says so
      const alone = await startTestNode()
      try {
        const status = (await get(`${alone.url}/v1/status`)).body
        assert.deepEqual([status.reachability, status.dht, status.relays], ['unknown', 'off', []])
      } finally {
        await alone.destroy()
      }
    } finally {
      await stopMembers(members)
    }
  })
})
