/**
 * The one place that decides which peers a node refuses: a peer that keeps sending invalid
 * messages (gossip rejects, sync sessions it spoiled) is disconnected and refused for a while.
 * The deny list is read by the connection gater (libp2p.ts), which also takes a gater injected
 * by whoever assembles the node (a simulated partition).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { second } from '../constants.ts'
import type { ComponentLogger, ConnectionGater, Logger, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** Invalid messages a peer may send before it is disconnected, and for how long it is refused then. */
export const MAX_REJECTIONS_BEFORE_DISCONNECT = 3
const DENY_MS = 10 * 60 * second

export interface PeerDenyList {
  /** whether the peer is refused now */
  isDenied (peer: PeerId): boolean
  /** counts an invalid message of a peer; true once it must be disconnected (it is denied from now) */
  record (peer: string): boolean
}

export function createPeerDenyList (): PeerDenyList {
  const rejections = new Map<string, number>()
  const denied = new Map<string, number>()
  return {
    isDenied (peer) {
      const until = denied.get(peer.toString())
      if (until == null) return false
      if (until > Date.now()) return true
      denied.delete(peer.toString())
      return false
    },
    record (peer) {
      const count = (rejections.get(peer) ?? 0) + 1
      rejections.set(peer, count)
      if (count < MAX_REJECTIONS_BEFORE_DISCONNECT) return false
      rejections.delete(peer)
      denied.set(peer, Date.now() + DENY_MS)
      return true
    }
  }
}

/** A gater that refuses the deny list's peers and those another gater (injected) refuses. */
export function denyListGater (denyList: PeerDenyList, injected: ConnectionGater = {}): ConnectionGater {
  return {
    ...injected,
    denyDialPeer: async peer => denyList.isDenied(peer) || (await injected.denyDialPeer?.(peer) ?? false),
    denyInboundEncryptedConnection: async (peer, connection) => denyList.isDenied(peer) || (await injected.denyInboundEncryptedConnection?.(peer, connection) ?? false)
  }
}

export interface MisbehaviourComponents {
  peerDenyList: PeerDenyList
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface Misbehaviour {
  /** an invalid message from this peer: past MAX_REJECTIONS_BEFORE_DISCONNECT it is hung up on and refused */
  report (peer: string): void
}

class DefaultMisbehaviour implements Misbehaviour {
  private readonly components: MisbehaviourComponents
  private readonly log: Logger

  constructor (components: MisbehaviourComponents) {
    this.components = components
    this.log = components.logger.forComponent('gxcat:network:misbehaviour')
  }

  readonly [Symbol.toStringTag] = 'gxcat/misbehaviour'

  report (peer: string): void {
    if (!this.components.peerDenyList.record(peer)) return
    this.log('disconnecting %s after %d invalid messages', peer, MAX_REJECTIONS_BEFORE_DISCONNECT)
    this.components.connectionManager.closeConnections(peerIdFromString(peer)).catch(() => {})
  }
}

export function misbehaviour (): (components: MisbehaviourComponents) => Misbehaviour {
  return components => new DefaultMisbehaviour(components)
}
