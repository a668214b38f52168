/**
 * What simulations, benchmarks and tests inject into a node's network to study partitions and
 * lossy or slow links: a connection gater that refuses peers outside the node's group, and loss
 * or a delay on the catalogue topic's validator. None is in the product's types.
 */
import { TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub'
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import type { ConnectionGater } from '@libp2p/interface'

/** Refuses every peer for which `allow` answers false, both ways. */
export function partitionGater (allow: (peer: string) => boolean): ConnectionGater {
  return {
    denyDialPeer: async peer => !allow(peer.toString()),
    denyInboundEncryptedConnection: async peer => !allow(peer.toString())
  }
}

/**
 * Loses the catalogue topic's messages for which `lost` answers true, as if never received: not
 * verified, stored or forwarded, with no penalty. Call it once the network has started (the
 * gossip service sets its validator as libp2p starts).
 */
export function withGossipLoss (pubsub: GossipSub | undefined, lost: (from: string) => boolean): void {
  const validate = pubsub?.topicValidators.get(CATALOGUE_TOPIC)
  if (pubsub == null || validate == null) return
  pubsub.topicValidators.set(CATALOGUE_TOPIC, async (peer, message) => lost(peer.toString()) ? TopicValidatorResult.Ignore : validate(peer, message))
}

/** Delays each catalogue message by `delayMs` before it is validated: a link's latency on gossip alone. */
export function withGossipDelay (pubsub: GossipSub | undefined, delayMs: number): void {
  const validate = pubsub?.topicValidators.get(CATALOGUE_TOPIC)
  if (pubsub == null || validate == null) return
  pubsub.topicValidators.set(CATALOGUE_TOPIC, async (peer, message) => {
    await new Promise(resolve => setTimeout(resolve, delayMs))
    return validate(peer, message)
  })
}
