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
 * Puts `before` in front of the catalogue topic's validator: it answers a verdict of its own
 * (undefined: the message goes on to the node's validator). Call it once the network has
 * started (the gossip service sets its validator as libp2p starts).
 */
function beforeValidation (pubsub: GossipSub | undefined, before: (from: string) => Promise<TopicValidatorResult | undefined>): void {
  const validate = pubsub?.topicValidators.get(CATALOGUE_TOPIC)
  if (pubsub == null || validate == null) return
  pubsub.topicValidators.set(CATALOGUE_TOPIC, async (peer, message) => await before(peer.toString()) ?? validate(peer, message))
}

/** Loses the catalogue topic's messages for which `lost` answers true, as if never received: not verified, stored or forwarded, with no penalty. */
export function withGossipLoss (pubsub: GossipSub | undefined, lost: (from: string) => boolean): void {
  beforeValidation(pubsub, async from => lost(from) ? TopicValidatorResult.Ignore : undefined)
}

/** Delays each catalogue message by `delayMs` before it is validated: a link's latency on gossip alone. */
export function withGossipDelay (pubsub: GossipSub | undefined, delayMs: number): void {
  beforeValidation(pubsub, async () => {
    await new Promise(resolve => setTimeout(resolve, delayMs))
    return undefined
  })
}
