/**
 * The connection monitor pings every connection and closes those that do not answer. A ping
 * still under way when the next one is due (a busy peer, a connection full of sync items) must
 * not count as a dead connection.
 */
import assert from 'node:assert/strict'
import { createLibp2p } from 'libp2p'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { catalogueLibp2pOptions } from '../../../node/network/libp2p.ts'
import { MemoryLevel } from 'memory-level'
import { createCatalogueNode } from '../../../node/catalogue-node.ts'
import { createNetworkCounters } from '../../../node/network/network-counters.ts'
import type { Database } from '../../../node/store/catalogue-store.ts'
import { waitFor } from '../../fixtures/wait.ts'

const PING = '/ipfs/ping/1.0.0'

describe('connection monitor', function () {
  this.timeout(30_000)

  it('keeps a connection whose previous ping has not finished when the next is due', async () => {
    const catalogues = [0, 1].map(() => createCatalogueNode({ db: new MemoryLevel<string, any>({ valueEncoding: 'json' }) as unknown as Database, sparql: false }))
    await Promise.all(catalogues.map(async catalogue => catalogue.start()))
    const start = async (name: string, pingInterval?: number): Promise<Awaited<ReturnType<typeof createLibp2p>>> => {
      const catalogue = catalogues[name === 'a' ? 0 : 1]
      const options = catalogueLibp2pOptions({ replica: catalogue.replica, counters: createNetworkCounters() }, { privateKey: await generateKeyPair('Ed25519'), listen: [`/memory/monitor-${name}`], dht: false, gossip: false })
      if (pingInterval != null) options.connectionMonitor = { enabled: true, pingInterval }
      const node = await createLibp2p(options)
      await node.start()
      return node
    }
    const [a, b] = await Promise.all([start('a', 200), start('b')])
    try {
      const connection = await a.dial(b.getMultiaddrs()[0])
      // a ping that does not finish: the stream stays open, as one stuck behind a busy peer's work does
      const stuck = await connection.newStream(PING, { runOnLimitedConnection: true })
      let closed = false
      a.addEventListener('connection:close', () => { closed = true })
      // the monitor pings again meanwhile; it records a round-trip time when a ping succeeds
      await waitFor(() => closed || connection.rtt != null, 10_000, 'a ping by the connection monitor')
      assert.equal(closed, false, 'the connection was closed by the connection monitor')
      assert.equal(connection.status, 'open')
      stuck.abort(new Error('done'))
    } finally {
      await Promise.all([a.stop(), b.stop()])
      await Promise.all(catalogues.map(async catalogue => catalogue.stop()))
    }
  })
})
