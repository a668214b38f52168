/**
 * Peer exchange, a libp2p service (`peerExchange` in the node's services): it serves the list of
 * the node's peers, and a node short of peers asks its peers for theirs, so that the mesh does
 * not depend on the bootstrap nodes.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { PEER_LIST_PROTOCOL, second } from '../../protocols/constants.ts'
import { readPeerList, servePeerList, type PeerListEntry } from '../../protocols/peer-list/index.ts'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, PeerStore, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

export interface PeerExchangeInit {
  /** connections to keep up through peer exchange. @default 8 */
  targetPeers?: number
}

export interface PeerExchangeComponents {
  peerId: PeerId
  peerStore: PeerStore
  connectionManager: ConnectionManager
  registrar: Registrar
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** How often (± half) a node short of peers asks one of its peers for more. */
const PEER_TOP_UP_MS = 5 * second

function shuffle<T> (list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]]
  }
  return list
}

class PeerExchange implements Startable {
  private readonly components: PeerExchangeComponents
  private readonly log: Logger
  private readonly targetPeers: number
  private readonly askedForPeers = new Map<string, number>()
  private topUpTimer?: ReturnType<typeof setTimeout>
  private running = false

  constructor (components: PeerExchangeComponents, init: PeerExchangeInit) {
    this.components = components
    this.targetPeers = init.targetPeers ?? 8
    this.log = components.logger.forComponent('gxcat:network:peer-exchange')
    components.events.addEventListener('peer:identify', (event) => {
      if (this.running && event.detail.protocols.includes(PEER_LIST_PROTOCOL)) void this.exchange(event.detail.peerId)
    })
  }

  readonly [Symbol.toStringTag] = 'gxcat/peer-exchange'

  async start (): Promise<void> {
    await this.components.registrar.handle(PEER_LIST_PROTOCOL, async (stream) => {
      try {
        await servePeerList(stream, await this.peerListWithAddrs(), { signal: AbortSignal.timeout(10 * second) })
      } catch (err: any) {
        this.log('serving a peer list failed: %s', err.message)
        stream.abort(err)
      }
    }, { maxInboundStreams: 8 })
    this.running = true
    this.scheduleTopUp()
  }

  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.topUpTimer)
    await this.components.registrar.unhandle(PEER_LIST_PROTOCOL)
  }

  private peers (): PeerId[] {
    return [...this.components.connectionManager.getConnectionsMap().keys()]
  }

  private async peerListWithAddrs (): Promise<PeerListEntry[]> {
    const out: PeerListEntry[] = []
    for (const peer of this.peers()) {
      try {
        const stored = await this.components.peerStore.get(peer)
        const addrs = stored.addresses.map(a => a.multiaddr.toString())
        if (addrs.length > 0) out.push({ id: peer.toString(), addrs })
      } catch {}
    }
    return out
  }

  private async exchange (peer: PeerId): Promise<void> {
    const { connectionManager } = this.components
    const key = peer.toString()
    const last = this.askedForPeers.get(key) ?? 0
    if (Date.now() - last < PEER_TOP_UP_MS || this.peers().length >= this.targetPeers) return
    this.askedForPeers.set(key, Date.now())
    try {
      const signal = AbortSignal.timeout(10 * second)
      const stream = await connectionManager.openStream(peer, PEER_LIST_PROTOCOL, { signal })
      const list = await readPeerList(stream, { signal })
      const self = this.components.peerId.toString()
      const connected = new Set(this.peers().map(p => p.toString()))
      const candidates = shuffle(list.filter(p => p.id !== self && !connected.has(p.id)))
      for (const candidate of candidates.slice(0, Math.max(0, this.targetPeers - connected.size))) {
        const addrs = candidate.addrs.map(a => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${candidate.id}`))
        connectionManager.openConnection(addrs, { signal: AbortSignal.timeout(10 * second) }).catch(err => { this.log('dialling %s from a peer list failed: %s', candidate.id, err.message) })
      }
    } catch (err: any) {
      this.log('asking %p for peers failed: %s', peer, err.message)
    }
  }

  /** Keeps topping up: a peer list request can fail (a duplicate connection closed under it), and peers come and go. */
  private scheduleTopUp (): void {
    this.topUpTimer = setTimeout(() => {
      const peers = this.peers()
      if (this.running && peers.length > 0 && peers.length < this.targetPeers) void this.exchange(peers[Math.floor(Math.random() * peers.length)])
      if (this.running) this.scheduleTopUp()
    }, PEER_TOP_UP_MS * (0.5 + Math.random()))
    this.topUpTimer.unref?.()
  }
}

export function peerExchange (init: PeerExchangeInit = {}): (components: PeerExchangeComponents) => Startable {
  return components => new PeerExchange(components, init)
}
