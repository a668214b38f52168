/**
 * gxcat start processes across NATs on real kernels (fixtures/nat-lab.ts): a public node that
 * relays, two nodes each behind its own masquerading router, and one behind a router that
 * forwards its port. Needs root, iproute2 and nft; skips with a message where it cannot run.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { didOf, generateIssuerKey, signCredential } from '../../../protocols/self-description/index.ts'
import { entryUrl, startCliNode, type CliNode } from '../../fixtures/cli-node.ts'
import { createNatLab, NatLabUnavailableError, PUBLIC_HOST, type NatLab } from '../../fixtures/nat-lab.ts'
import { get, post, tempDir } from '../../fixtures/node.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { readFile } from 'node:fs/promises'

const holds = async (node: CliNode, issuer: string, subject: string): Promise<boolean> => (await get(entryUrl(node, issuer, subject))).status === 200

describe('nodes behind NAT, on real kernels', function () {
  this.timeout(240_000)
  let lab: NatLab | undefined
  let dir: string
  const nodes: CliNode[] = []
  const tokens = new Map<CliNode, string>()
  const key = generateIssuerKey()
  const issuer = didOf(key.kid)
  let pub: CliNode
  let a: CliNode
  let b: CliNode
  let bootstrap: string

  // a node in `namespace` on `host`: its API on port 7400 + n, libp2p on 4000 + n
  const start = async (name: string, namespace: string, host: string, n: number, args: string[]): Promise<CliNode> => {
    const data = join(dir, name)
    const node = await startCliNode(data, ['--listen', `/ip4/${host}/tcp/${4000 + n}`, ...args], process.env.NAT_DEBUG != null ? { DEBUG: process.env.NAT_DEBUG } : {}, 'start', { namespace, host, port: 7400 + n })
    nodes.push(node)
    tokens.set(node, JSON.parse(await readFile(join(data, 'config.json'), 'utf8')).token)
    return node
  }
  const publish = async (node: CliNode, subject: string): Promise<void> => {
    const reply = await post(`${node.url}/v1/self-descriptions`, await signCredential(serviceOffering(subject), key), 'application/vc+jwt', { authorization: `Bearer ${tokens.get(node) ?? ''}` })
    assert.equal(reply.status, 201, JSON.stringify(reply.body))
  }
  const status = async (node: CliNode): Promise<any> => (await get(`${node.url}/v1/status`)).body

  before(async function () {
    try {
      lab = await createNatLab([{}, {}, { forward: 4003 }])
    } catch (err: any) {
      if (err.name !== NatLabUnavailableError.name) throw err
      console.log(`      skipped: ${err.message}`)
      this.skip()
    }
    dir = await tempDir()
    pub = await start('public', lab.publicNamespace, PUBLIC_HOST, 0, ['--reachability', 'public'])
    bootstrap = `/ip4/${PUBLIC_HOST}/tcp/4000/p2p/${(await status(pub)).peerId as string}`
    a = await start('a', lab.lans[0].namespace, lab.lans[0].host, 1, ['--bootstrap', bootstrap])
    b = await start('b', lab.lans[1].namespace, lab.lans[1].host, 2, ['--bootstrap', bootstrap])
  })

  afterEach(function () {
    if ((this.currentTest?.state === 'failed' || process.env.NAT_DEBUG_ALL != null) && process.env.NAT_DEBUG != null) for (const node of nodes) console.log(node.url, node.output().slice(-20_000))
  })

  after(async () => {
    await Promise.all(nodes.map(async node => node.stop()))
    lab?.close()
  })

  it('finds itself unreachable behind NAT: asks the DHT as a client, reserves a relay slot, announces the relayed address', async () => {
    for (const node of [a, b]) {
      await waitFor(async () => (await status(node)).relays.length === 1, 30_000, 'a relay reservation')
      const s = await status(node)
      assert.deepEqual([s.reachability, s.dht, s.relays], ['unknown', 'client', [(await status(pub)).peerId]], JSON.stringify(s))
      assert.ok(s.addrs.length > 0 && s.addrs.every((addr: string) => addr.startsWith(`${bootstrap}/p2p-circuit/`)), s.addrs.join(' '))
    }
    const p = await status(pub)
    assert.deepEqual([p.reachability, p.dht], ['public', 'server'])
  })

  it('carries a publish from one LAN to the other, both ways', async () => {
    await publish(a, 'https://provider.example/services/from-lan-1')
    await waitFor(async () => holds(b, issuer, 'https://provider.example/services/from-lan-1'), 30_000, 'the entry to cross both NATs')
    await publish(b, 'https://provider.example/services/from-lan-2')
    await waitFor(async () => holds(a, issuer, 'https://provider.example/services/from-lan-2'), 30_000, 'the entry to cross back')
  })

  it('finds by the DHT, from behind one NAT, an entry a node behind another put there', async () => {
    // a second node in LAN 2 that does not gossip: only the DHT can give it the entry
    const quiet = await start('quiet', lab!.lans[1].namespace, lab!.lans[1].host, 12, ['--bootstrap', bootstrap, '--no-gossip'])
    await waitFor(async () => (await status(quiet)).peers >= 1, 30_000, 'the quiet node to connect')
    await waitFor(async () => holds(quiet, issuer, 'https://provider.example/services/from-lan-2'), 30_000, 'its first catch-up')
    const subject = 'https://provider.example/services/in-the-dht'
    await publish(a, subject)
    await waitFor(async () => holds(b, issuer, subject), 30_000, 'gossip to reach node b')
    assert.equal(await holds(quiet, issuer, subject), false)
    await waitFor(async () => (await get(entryUrl(quiet, issuer, subject, true))).status === 200, 60_000, 'the DHT lookup to find the entry')
  })

  it('brings a late joiner behind NAT up to date', async () => {
    const late = await start('late', lab!.lans[0].namespace, lab!.lans[0].host, 11, ['--bootstrap', bootstrap])
    for (const subject of ['from-lan-1', 'from-lan-2', 'in-the-dht']) {
      await waitFor(async () => holds(late, issuer, `https://provider.example/services/${subject}`), 30_000, `the late joiner to catch up ${subject}`)
    }
  })

  it('reaches a node behind NAT through its relay, then directly where the other side forwards its port (DCUtR)', async () => {
    const forwarded = lab!.lans[2]
    // C sits behind a router that forwards its port, and says where: it is reachable
    const announce = `/ip4/${forwarded.outside}/tcp/${forwarded.forward as number}`
    const bPeer = (await status(b)).peerId as string
    const bRelayed = (await status(b)).addrs[0] as string
    // its only way in is b's relayed address: the connection starts relayed
    const c = await start('c', forwarded.namespace, forwarded.host, 3, ['--reachability', 'public', '--announce', announce, '--bootstrap', bRelayed])
    const cs = await status(c)
    assert.deepEqual([cs.reachability, cs.dht], ['public', 'server'])
    // b, on the inbound end of the relayed connection, sees c's public address and dials it
    await waitFor(async () => {
      const peers = (await get(`${c.url}/v1/peers`)).body.peers as Array<{ peerId: string, addrs: string[] }>
      return peers.find(p => p.peerId === bPeer)?.addrs.some(addr => !addr.includes('/p2p-circuit')) === true
    }, 30_000, 'a direct connection between b and c')
    // and the catalogue flows over it
    await waitFor(async () => holds(c, issuer, 'https://provider.example/services/from-lan-2'), 30_000, 'c to catch up')
  })
})
