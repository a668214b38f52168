/**
 * A catalogue node's network: libp2p with the catalogue's services (libp2p.ts), joined to the
 * node through its replica. It gossips what the node accepts through its API, validates what
 * arrives by gossip before it is forwarded, reconciles with peers, publishes the node's own
 * entries to the DHT and fetches entries by id from it, and keeps up its peers.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { second } from '../../protocols/constants.ts'
import { NotFoundError } from '../errors.ts'
import { createCatalogueLibp2p, type CatalogueLibp2p, type CatalogueLibp2pInit } from './libp2p.ts'
import { createNetworkCounters, registerNetworkGauges, type NetworkCounters } from './network-counters.ts'
import type { IndexTermKind } from '../../protocols/dht-records/index.ts'
import type { SyncStats } from '../../protocols/sync/index.ts'
import type { CatalogueReplica, VersionView } from '../catalogue-node-api.ts'
import type { SyncService } from './sync-service.ts'
import { planReachability, reachabilityStatus, type ReachabilityStatus } from './reachability.ts'
import type { AbortOptions, PeerId } from '@libp2p/interface'

export type CatalogueNetworkInit = CatalogueLibp2pInit

export interface CatalogueNetworkComponents {
  /** the node this network feeds and serves: a catalogue node's `replica` */
  replica: CatalogueReplica
}

export interface CatalogueNetwork {
  readonly libp2p: CatalogueLibp2p
  readonly counters: NetworkCounters
  start (): Promise<void>
  stop (): Promise<void>
  peerId (): string
  addrs (): string[]
  /** connected peers, with their gossip score where gossip runs */
  peers (): Array<{ peerId: string, addrs: string[], score?: number }>
  /** whether others can dial this node and why, how it takes part in the DHT, and its relays */
  reachability (): ReachabilityStatus
  /** the entry from the replica, else from the DHT (then stored like any verified input) */
  findEntry (issuer: string, subject: string, options?: AbortOptions): Promise<VersionView>
  /** peers that provide an index term */
  findProviders (kind: IndexTermKind, value: string, options?: AbortOptions): Promise<string[]>
  /** resolves when queued DHT work is done */
  dhtIdle (): Promise<void>
  /** anti-entropy: sync with a peer (peer id or multiaddr) now */
  syncWith (peer: string, options?: AbortOptions): Promise<SyncStats>
  readonly sync: SyncService
}

export async function createCatalogueNetwork (components: CatalogueNetworkComponents, init: CatalogueNetworkInit): Promise<CatalogueNetwork> {
  const { replica } = components
  const counters = createNetworkCounters()
  const libp2p = await createCatalogueLibp2p({ replica, counters }, init)
  const { catalogueDht: dht, catalogueSync: sync, pubsub } = libp2p.services
  registerNetworkGauges(replica.registry, counters, () => libp2p.getPeers().length)
  const plan = planReachability(init)

  return {
    libp2p,
    counters,
    sync,
    start: async () => { await libp2p.start() },
    stop: async () => { await libp2p.stop() },
    peerId: () => libp2p.peerId.toString(),
    addrs: () => libp2p.getMultiaddrs().map(a => a.toString()),
    reachability: () => reachabilityStatus(plan, { addresses: libp2p.getMultiaddrs(), dht: libp2p.services.dht?.getMode() ?? 'off' }),
    peers: () => {
      const byPeer = new Map<string, string[]>()
      for (const connection of libp2p.getConnections()) {
        const id = connection.remotePeer.toString()
        byPeer.set(id, [...(byPeer.get(id) ?? []), connection.remoteAddr.toString()])
      }
      // the implementation keeps peer scores; the published GossipSub interface does not show them
      const scores = pubsub as unknown as { getScore?: (peerId: string) => number } | undefined
      return [...byPeer].map(([peerId, addrs]) => ({ peerId, addrs, ...(scores?.getScore != null ? { score: scores.getScore(peerId) } : {}) }))
    },
    async findEntry (issuer, subject, options = {}) {
      try {
        return await replica.getEntry(issuer, subject)
      } catch (err: any) {
        if (err.name !== NotFoundError.name) throw err
      }
      if (dht == null) throw new NotFoundError(`no entry for subject ${subject} by ${issuer} in this replica, and this node runs no DHT to ask`)
      return dht.fetchEntry(issuer, subject, options)
    },
    async findProviders (kind, value, options = {}) {
      return dht == null ? [] : dht.findProviders(kind, value, options)
    },
    async dhtIdle () {
      await dht?.idle()
    },
    async syncWith (peer, options = {}) {
      let peerId: PeerId
      if (peer.startsWith('/')) {
        const connection = await libp2p.dial(multiaddr(peer), { signal: options.signal ?? AbortSignal.timeout(10 * second) })
        peerId = connection.remotePeer
      } else {
        peerId = peerIdFromString(peer)
      }
      return sync.syncWith(peerId, options)
    }
  }
}
