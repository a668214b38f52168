/**
 * The one place that decides which peers a node refuses: a peer that keeps sending invalid
 * messages (gossip rejects, sync sessions it spoiled) is disconnected and refused for a while,
 * through the connection gater; a simulation's partition plugs in here too (`allowPeer`).
 */
import { second } from '../constants.ts'
import type { PeerId } from '@libp2p/interface'

/** Invalid messages a peer may send before it is disconnected, and for how long it is refused then. */
export const MAX_REJECTIONS_BEFORE_DISCONNECT = 3
const DENY_MS = 10 * 60 * second

export interface MisbehaviourInit {
  /** peers this node may talk to at all (a simulated partition); all by default */
  allowPeer?: (peer: string) => boolean
}

export interface Misbehaviour {
  /** the connection gater's verdict on a peer: refused while it is denied, or not allowed */
  isDenied (peer: PeerId): boolean
  /** counts an invalid message of a peer; true once it must be disconnected (it is denied from now) */
  record (peer: string): boolean
}

export function createMisbehaviour (init: MisbehaviourInit = {}): Misbehaviour {
  const rejections = new Map<string, number>()
  const denied = new Map<string, number>()
  return {
    isDenied (peer) {
      if (init.allowPeer != null && !init.allowPeer(peer.toString())) return true
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
