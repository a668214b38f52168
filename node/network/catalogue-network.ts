/**
 * The network layer of a catalogue node: it gossips what the node accepts through its API,
 * validates (verifies and stores) what arrives by gossip before it is forwarded, publishes
 * the node's own entries to the DHT (value record + index terms), fetches entries by id from
 * the DHT, and serves and uses the peer list so that the mesh does not depend on the
 * bootstrap nodes.
 */
import drain from 'it-drain'
import { peerIdFromString } from '@libp2p/peer-id'
import { createBootstrapDialer } from '../../bootstrap/bootstrap-dialer.ts'
import { Queue } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { CATALOGUE_TOPIC, PEER_LIST_PROTOCOL, second } from '../../protocols/constants.ts'
import { entryRecordKey, indexTermCid, indexTermsOf, selectEntryRecord, type IndexTermKind } from '../../protocols/dht-records/index.ts'
import { createCatalogueValidator, encodeGossipMessage, type GossipMessage } from '../../protocols/gossip/index.ts'
import { createNetworkCounters, registerNetworkGauges, type NetworkCounters } from './network-counters.ts'
import { createMisbehaviour, MAX_REJECTIONS_BEFORE_DISCONNECT } from './misbehaviour.ts'

import { readPeerList, servePeerList, type PeerListEntry } from '../../protocols/peer-list/index.ts'
import { entryId, isRevocationJws, isTrustRefusal, type Revocation } from '../../protocols/self-description/index.ts'
import { DHT_PUTS_AT_ONCE, DHT_PUTS_PER_SECOND, GOSSIP_PEER_MESSAGES, GOSSIP_PEER_NEW_ENTRIES, GOSSIP_PEER_NEW_ENTRIES_WINDOW_MS, GOSSIP_PEER_VALUES, GOSSIP_PEER_VALUES_WINDOW_MS, GOSSIP_PEER_WINDOW_MS } from '../constants.ts'
import { NotFoundError, PeerFloodError } from '../errors.ts'
import { createPeerBudget, type PeerBudgetInit } from './peer-budget.ts'
import { createCatalogueLibp2p, type CatalogueLibp2p, type CatalogueLibp2pInit } from './libp2p.ts'
import { createSyncService, type SyncService, type SyncServiceInit } from './sync-service.ts'
import type { SyncStats } from '../../protocols/sync/index.ts'
import type { CatalogueNode, VersionView } from '../catalogue-node.ts'
import type { AbortOptions, Logger, PeerId } from '@libp2p/interface'

export interface CatalogueNetworkInit extends Omit<CatalogueLibp2pInit, 'resolver' | 'revokers' | 'knownVersion' | 'shapes'> {
  /** put each of this node's own new versions in the DHT, with its index terms. @default true */
  dhtPublish?: boolean
  /** connections to keep up through peer exchange. @default 8 */
  targetPeers?: number
  /** how long a DHT lookup may take. @default 30 s */
  dhtTimeoutMs?: number
  /** anti-entropy settings */
  sync?: SyncServiceInit
  /** a peer for which this returns false is neither dialled nor accepted (partitions in tests and simulations) */
  allowPeer?: (peerId: string) => boolean
  /**
   * Simulations: loss of gossip messages, and (where the transport does not carry a link model,
   * see wrapTransport) a delay applied to each gossip message and sync frame on receipt.
   */
  simulatedLink?: SimulatedLink
  /** gossip messages one peer may send per window; past it they are ignored, far past it the peer is penalised. @default 2,000 per 10 s */
  gossipPeerLimit?: { messages: number, windowMs: number }
  /** what one peer's gossip may cost per window (credential values, new entries); past it ignored, past twice it rejected. @default GOSSIP_PEER_VALUES, GOSSIP_PEER_NEW_ENTRIES */
  gossipPeerBudget?: Partial<Omit<PeerBudgetInit, 'messages'>>
}

export interface SimulatedLink {
  /** how long a message of this many bytes from this peer takes to arrive (latency of the link + size / bandwidth); none when absent */
  delayMs?: (bytes: number, from: string) => number
  /** whether this message from this peer is lost on the way: it is then ignored, as if never received */
  lost (from: string): boolean
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

function shuffle<T> (list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]]
  }
  return list
}

/** How often (± half) a node short of peers asks one of its peers for more. */
const PEER_TOP_UP_MS = 5 * second

export async function createCatalogueNetwork (node: CatalogueNode, init: CatalogueNetworkInit): Promise<CatalogueNetwork> {
  const misbehaviour = createMisbehaviour({ allowPeer: init.allowPeer })
  const libp2p = await createCatalogueLibp2p({
    ...init,
    resolver: node.resolver,
    // a DHT record of the version this node holds as its entry's head is not verified again
    knownVersion: (cid, entry) => node.store.getHead(entry)?.cid === cid && !node.store.isRevoked(entry),
    // and one it must verify has its signature and shapes checked in the node's worker threads
    shapes: node.shapes,
    connectionGater: { denyDialPeer: misbehaviour.isDenied, denyInboundEncryptedConnection: misbehaviour.isDenied }
  })
  const log: Logger = libp2p.logger.forComponent('gxcat:network')
  const counters = createNetworkCounters()
  const pubsub = libp2p.services.pubsub
  const dht = libp2p.services.dht
  const dhtQueue = new Queue<void>({ concurrency: 4 })
  const providedTerms = new Set<string>()
  const askedForPeers = new Map<string, number>()
  const targetPeers = init.targetPeers ?? 8
  const dhtTimeoutMs = init.dhtTimeoutMs ?? 30 * second
  let running = false
  /** aborted at stop, so that queued and running DHT work does not hold the node up */
  let shutdown = new AbortController()
  registerNetworkGauges(node.metrics.registry, counters, () => libp2p.getPeers().length)
  const bootstrapDialer = createBootstrapDialer(libp2p, log, { list: init.bootstrap ?? [] })
  const sync = createSyncService(node, libp2p, log, peer => { misbehaved(peer) }, {
    ...init.sync,
    ...(init.simulatedLink?.delayMs != null ? { frameDelayMs: init.simulatedLink.delayMs } : {}),
    onRecovered: jwsList => {
      for (const jws of jwsList) gossip({ kind: isRevocationJws(jws) ? 'revocation' : 'version', jws })
    }
  })

  const peerLimit = init.gossipPeerLimit ?? { messages: GOSSIP_PEER_MESSAGES, windowMs: GOSSIP_PEER_WINDOW_MS }
  const budget = createPeerBudget({
    messages: { points: peerLimit.messages, windowMs: peerLimit.windowMs },
    values: init.gossipPeerBudget?.values ?? { points: GOSSIP_PEER_VALUES, windowMs: GOSSIP_PEER_VALUES_WINDOW_MS },
    newEntries: init.gossipPeerBudget?.newEntries ?? { points: GOSSIP_PEER_NEW_ENTRIES, windowMs: GOSSIP_PEER_NEW_ENTRIES_WINDOW_MS }
  })

  /** A peer within twice a budget is throttled: its message ignored, with no penalty yet. */
  const throttled = (err: any): boolean => {
    if (!(err instanceof PeerFloodError) || err.reject) return false
    counters.throttled++
    return true
  }

  const handleGossip = async (message: GossipMessage, from: string): Promise<'accepted' | 'duplicate' | 'stale'> => {
    try {
      // counted before anything is verified
      budget.message(from)
    } catch (err: any) {
      if (throttled(err)) return 'duplicate' // ignored: not verified, stored or forwarded
      throw err
    }
    const link = init.simulatedLink
    if (link != null) {
      if (link.lost(from)) return 'duplicate' // ignored: not stored, not forwarded, no penalty
      const delay = link.delayMs?.(message.jws.length + 1, from) ?? 0
      if (delay > 0) await new Promise(resolve => setTimeout(resolve, delay))
    }
    if (message.kind === 'version') {
      try {
        const result = await node.publish(message.jws, { source: 'gossip', admit: budget.admit(from) })
        return result.status === 'active' ? 'accepted' : result.status
      } catch (err: any) {
        // valid, but not for this node's trust policy: not stored here, still passed on to others
        if (isTrustRefusal(err)) return 'accepted'
        if (throttled(err)) return 'duplicate'
        throw err
      }
    }
    const result = await node.revoke(message.jws, { source: 'gossip' })
    return result.status === 'revoked' ? 'accepted' : 'duplicate'
  }

  /** A peer that keeps sending invalid messages is disconnected and refused for a while. */
  function misbehaved (peer: string): void {
    if (!misbehaviour.record(peer)) return
    log('disconnecting %s after %d invalid messages', peer, MAX_REJECTIONS_BEFORE_DISCONNECT)
    libp2p.hangUp(peerIdFromString(peer)).catch(() => {})
  }

  function gossip (message: GossipMessage): void {
    // alone on the topic, a message reaches nobody (encoding and signing it costs): a peer that comes later gets it by sync
    if (pubsub == null || !running || pubsub.getSubscribers(CATALOGUE_TOPIC).length === 0) return
    pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage(message)).then(() => { counters.published++ }, err => {
      log.error('gossiping a %s failed: %e', message.kind, err)
    })
  }

  /**
   * DHT puts are paced, off the ingest path: each is a network query, and a bulk import would
   * otherwise spend its CPU on them. Entries wait in a map (a newer version replaces a waiting
   * one) and go out at DHT_PUTS_PER_SECOND, a few at once; a node's peers hold the entries by
   * gossip and sync meanwhile, the DHT serves nodes that keep no replica.
   */
  const waitingPuts = new Map<string, { jws: string, terms: Array<[IndexTermKind, string]> }>()
  let pumping = false

  function dhtPut (entry: string, jws: string, terms: Array<[IndexTermKind, string]>): void {
    // alone, there is no DHT to put to: a peer that comes later gets the entry by sync
    if (dht == null || init.dhtPublish === false || !running || libp2p.getPeers().length === 0) return
    waitingPuts.delete(entry)
    waitingPuts.set(entry, { jws, terms })
    if (!pumping) void pumpPuts()
  }

  async function pumpPuts (): Promise<void> {
    pumping = true
    try {
      while (running && waitingPuts.size > 0) {
        const [entry, { jws, terms }] = waitingPuts.entries().next().value as [string, { jws: string, terms: Array<[IndexTermKind, string]> }]
        waitingPuts.delete(entry)
        await dhtQueue.onSizeLessThan(DHT_PUTS_AT_ONCE, { signal: shutdown.signal })
        void dhtQueue.add(async () => { await putEntry(entry, jws, terms) }).catch(() => {})
        await new Promise(resolve => setTimeout(resolve, 1000 / DHT_PUTS_PER_SECOND))
      }
    } catch {
      // stopping
    } finally {
      pumping = false
    }
  }

  async function putEntry (entry: string, jws: string, terms: Array<[IndexTermKind, string]>): Promise<void> {
    const table = dht
    if (table == null) return
    const signal = AbortSignal.any([shutdown.signal, AbortSignal.timeout(dhtTimeoutMs)])
    try {
      await drain(table.put(entryRecordKey(entry), new TextEncoder().encode(jws), { signal }))
      counters.dhtPuts++
      for (const [kind, value] of terms) {
        const key = `${kind}:${value}`
        if (providedTerms.has(key)) continue
        providedTerms.add(key)
        await drain(table.provide(indexTermCid(kind, value), { signal }))
      }
    } catch (err: any) {
      counters.dhtPutFailures++
      log('putting entry %s in the DHT failed: %s', entry, err.message)
    }
  }

  node.addEventListener('version:accepted', (event) => {
    const { verified, source } = event.detail
    if (source !== 'api') return
    gossip({ kind: 'version', jws: verified.jws })
    dhtPut(verified.entry, verified.jws, indexTermsOf(verified))
  })
  node.addEventListener('revocation:accepted', (event) => {
    const { revocation, source }: { revocation: Revocation, source: string } = event.detail
    if (source !== 'api') return
    gossip({ kind: 'revocation', jws: revocation.jws })
    dhtPut(revocation.entry, revocation.jws, [])
  })

  function knownPeers (): PeerListEntry[] {
    return libp2p.getConnections()
      .map(c => c.remotePeer)
      .filter((p, i, all) => all.findIndex(q => q.equals(p)) === i)
      .map(p => ({ id: p.toString(), addrs: [] as string[] }))
  }

  async function peerListWithAddrs (): Promise<PeerListEntry[]> {
    const out: PeerListEntry[] = []
    for (const peer of knownPeers()) {
      try {
        const stored = await libp2p.peerStore.get(peerIdFromString(peer.id))
        const addrs = stored.addresses.map(a => a.multiaddr.toString())
        if (addrs.length > 0) out.push({ id: peer.id, addrs })
      } catch {}
    }
    return out
  }

  async function exchangePeers (peer: PeerId): Promise<void> {
    const key = peer.toString()
    const last = askedForPeers.get(key) ?? 0
    if (Date.now() - last < PEER_TOP_UP_MS || libp2p.getPeers().length >= targetPeers) return
    askedForPeers.set(key, Date.now())
    try {
      const signal = AbortSignal.timeout(10 * second)
      const stream = await libp2p.dialProtocol(peer, PEER_LIST_PROTOCOL, { signal })
      const list = await readPeerList(stream, { signal })
      const self = libp2p.peerId.toString()
      const connected = new Set(libp2p.getPeers().map(p => p.toString()))
      const candidates = shuffle(list.filter(p => p.id !== self && !connected.has(p.id)))
      for (const candidate of candidates.slice(0, Math.max(0, targetPeers - connected.size))) {
        const addrs = candidate.addrs.map(a => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${candidate.id}`))
        libp2p.dial(addrs, { signal: AbortSignal.timeout(10 * second) }).catch(err => { log('dialling %s from a peer list failed: %s', candidate.id, err.message) })
      }
    } catch (err: any) {
      log('asking %p for peers failed: %s', peer, err.message)
    }
  }

  libp2p.addEventListener('peer:identify', (event) => {
    if (event.detail.protocols.includes(PEER_LIST_PROTOCOL)) void exchangePeers(event.detail.peerId)
  })

  // keep topping up: a peer list request can fail (a duplicate connection closed under it),
  // and peers come and go
  let topUpTimer: ReturnType<typeof setTimeout> | undefined
  const scheduleTopUp = (): void => {
    topUpTimer = setTimeout(() => {
      const peers = libp2p.getPeers()
      if (running && peers.length > 0 && peers.length < targetPeers) void exchangePeers(peers[Math.floor(Math.random() * peers.length)])
      if (running) scheduleTopUp()
    }, PEER_TOP_UP_MS * (0.5 + Math.random()))
    topUpTimer.unref?.()
  }

  return {
    libp2p,
    counters,
    async start () {
      await libp2p.handle(PEER_LIST_PROTOCOL, async (stream) => {
        try {
          await servePeerList(stream, await peerListWithAddrs(), { signal: AbortSignal.timeout(10 * second) })
        } catch (err: any) {
          log('serving a peer list failed: %s', err.message)
          stream.abort(err)
        }
      }, { maxInboundStreams: 8 })
      if (pubsub != null) {
        pubsub.topicValidators.set(CATALOGUE_TOPIC, createCatalogueValidator(async (message, from) => handleGossip(message, from), log, { counters, onReject: misbehaved }))
      }
      shutdown = new AbortController()
      await sync.start()
      await libp2p.start()
      pubsub?.subscribe(CATALOGUE_TOPIC)
      running = true
      bootstrapDialer.start()
      scheduleTopUp()
    },
    async stop () {
      running = false
      shutdown.abort()
      clearTimeout(topUpTimer)
      bootstrapDialer.stop()
      await sync.stop()
      waitingPuts.clear()
      dhtQueue.clear()
      await libp2p.stop()
    },
    peerId: () => libp2p.peerId.toString(),
    addrs: () => libp2p.getMultiaddrs().map(a => a.toString()),
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
        return await node.getEntry(issuer, subject)
      } catch (err: any) {
        if (err.name !== NotFoundError.name) throw err
      }
      const entry = entryId(issuer, subject)
      if (dht == null) throw new NotFoundError(`no entry for subject ${subject} by ${issuer} in this replica, and this node runs no DHT to ask`)
      const signal = options.signal == null ? AbortSignal.timeout(dhtTimeoutMs) : AbortSignal.any([options.signal, AbortSignal.timeout(dhtTimeoutMs)])
      const values: Uint8Array[] = []
      try {
        for await (const event of dht.get(entryRecordKey(entry), { signal })) {
          if (event.name === 'VALUE') values.push(event.value)
        }
      } catch (err: any) {
        log('DHT lookup of %s ended: %s', entry, err.message)
      }
      if (values.length === 0) throw new NotFoundError(`no entry for subject ${subject} by ${issuer} in this replica nor in the DHT`)
      const jws = new TextDecoder().decode(values[selectEntryRecord(entryRecordKey(entry), values)])
      if (isRevocationJws(jws)) await node.revoke(jws, { source: 'dht' })
      else await node.publish(jws, { source: 'dht' })
      return node.getEntry(issuer, subject)
    },
    async findProviders (kind, value, options = {}) {
      if (dht == null) return []
      const signal = options.signal == null ? AbortSignal.timeout(dhtTimeoutMs) : AbortSignal.any([options.signal, AbortSignal.timeout(dhtTimeoutMs)])
      const found = new Set<string>()
      try {
        for await (const event of dht.findProviders(indexTermCid(kind, value), { signal })) {
          if (event.name === 'PROVIDER') for (const p of event.providers) found.add(p.id.toString())
        }
      } catch (err: any) {
        log('finding providers of %s:%s ended: %s', kind, value, err.message)
      }
      return [...found]
    },
    async dhtIdle () {
      while (running && (waitingPuts.size > 0 || pumping)) await new Promise(resolve => setTimeout(resolve, 1000 / DHT_PUTS_PER_SECOND))
      await dhtQueue.onIdle()
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
    },
    sync
  }
}
