/**
 * The catalogue topic's validator. A message is verified and stored by the receiving node
 * before gossipsub forwards it: valid and new → Accept; forged or malformed → Reject (the
 * sender's peer score drops); a duplicate, a stale version, or one the node cannot judge
 * now (its store is down, a did:web host is unreachable) → Ignore (not forwarded, no penalty).
 */
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { blameOf } from '../errors.ts'
import { decodeGossipMessage, type GossipMessage } from './message.ts'
import type { Logger } from '@libp2p/interface'

/** What the node did with a message; throws the protocol's typed error if it is invalid. */
export type GossipHandler = (message: GossipMessage, from: string) => Promise<'accepted' | 'duplicate' | 'stale'>

export interface ValidatorCounters {
  accepted: number
  ignored: number
  rejected: number
}

export interface ValidatorOptions {
  counters?: ValidatorCounters
  /** called for each rejected message with its sender */
  onReject?: (peer: string, reason: string) => void
}

export function createCatalogueValidator (handle: GossipHandler, log: Logger, options: ValidatorOptions = {}): (peer: { toString(): string }, message: Message) => Promise<TopicValidatorResult> {
  const { counters, onReject } = options
  return async (peer, message) => {
    let decoded: GossipMessage
    try {
      decoded = decodeGossipMessage(message.data)
    } catch (err: any) {
      log('rejecting a malformed message from %s: %s', peer.toString(), err.message)
      if (counters != null) counters.rejected++
      onReject?.(peer.toString(), err.name)
      return TopicValidatorResult.Reject
    }
    try {
      const outcome = await handle(decoded, peer.toString())
      if (outcome === 'accepted') {
        if (counters != null) counters.accepted++
        return TopicValidatorResult.Accept
      }
      if (counters != null) counters.ignored++
      return TopicValidatorResult.Ignore
    } catch (err: any) {
      // the sender did nothing wrong (or cannot be blamed for sure)
      if (blameOf(err) !== 'sender') {
        if (counters != null) counters.ignored++
        return TopicValidatorResult.Ignore
      }
      log('rejecting a %s from %s: %s: %s', decoded.kind, peer.toString(), err.name, err.message)
      if (counters != null) counters.rejected++
      onReject?.(peer.toString(), err.name)
      return TopicValidatorResult.Reject
    }
  }
}
