/**
 * The gossip bridge, a libp2p service (`catalogueGossip` in the node's services): it validates
 * (verifies and stores) what arrives on the catalogue topic before gossipsub forwards it, within
 * each peer's budget, and gossips what the node accepts through its API and what a sync session
 * recovered.
 */
import { CATALOGUE_TOPIC } from '../../protocols/constants.ts'
import { createCatalogueValidator, encodeGossipMessage, type GossipMessage } from '../../protocols/gossip/index.ts'
import { isRevocationJws, isTrustRefusal } from '../../protocols/self-description/index.ts'
import { GOSSIP_PEER_MESSAGES, GOSSIP_PEER_NEW_ENTRIES, GOSSIP_PEER_NEW_ENTRIES_WINDOW_MS, GOSSIP_PEER_VALUES, GOSSIP_PEER_VALUES_WINDOW_MS, GOSSIP_PEER_WINDOW_MS } from '../constants.ts'
import { PeerFloodError } from '../errors.ts'
import { createPeerBudget, type PeerBudgetInit } from './peer-budget.ts'
import type { Misbehaviour } from './misbehaviour.ts'
import type { NetworkCounters } from './network-counters.ts'
import type { CatalogueReplica } from '../catalogue-node-api.ts'
import type { SyncService } from './sync-service.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Logger, Startable } from '@libp2p/interface'

export interface GossipServiceInit {
  /** gossip messages one peer may send per window; past it they are ignored, far past it the peer is penalised. @default 2,000 per 10 s */
  gossipPeerLimit?: { messages: number, windowMs: number }
  /** what one peer's gossip may cost per window (credential values, new entries); past it ignored, past twice it rejected. @default GOSSIP_PEER_VALUES, GOSSIP_PEER_NEW_ENTRIES */
  gossipPeerBudget?: Partial<Omit<PeerBudgetInit, 'messages'>>
}

export interface GossipServiceComponents {
  catalogueReplica: CatalogueReplica
  catalogueMisbehaviour: Misbehaviour
  catalogueSync: SyncService
  networkCounters: NetworkCounters
  pubsub: GossipSub
  logger: ComponentLogger
}

export interface GossipService {
  /** gossips a version or revocation, when the node runs and someone listens */
  gossip (message: GossipMessage): void
}

class CatalogueGossip implements GossipService, Startable {
  private readonly components: GossipServiceComponents
  private readonly log: Logger
  private readonly budget: ReturnType<typeof createPeerBudget>
  private running = false

  constructor (components: GossipServiceComponents, init: GossipServiceInit) {
    this.components = components
    this.log = components.logger.forComponent('gxcat:network:gossip')
    const peerLimit = init.gossipPeerLimit ?? { messages: GOSSIP_PEER_MESSAGES, windowMs: GOSSIP_PEER_WINDOW_MS }
    this.budget = createPeerBudget({
      messages: { points: peerLimit.messages, windowMs: peerLimit.windowMs },
      values: init.gossipPeerBudget?.values ?? { points: GOSSIP_PEER_VALUES, windowMs: GOSSIP_PEER_VALUES_WINDOW_MS },
      newEntries: init.gossipPeerBudget?.newEntries ?? { points: GOSSIP_PEER_NEW_ENTRIES, windowMs: GOSSIP_PEER_NEW_ENTRIES_WINDOW_MS }
    })
    components.catalogueReplica.addEventListener('version:accepted', (event) => {
      if (event.detail.source === 'api') this.gossip({ kind: 'version', jws: event.detail.verified.jws })
    })
    components.catalogueReplica.addEventListener('revocation:accepted', (event) => {
      if (event.detail.source === 'api') this.gossip({ kind: 'revocation', jws: event.detail.revocation.jws })
    })
    components.catalogueSync.events.addEventListener('sync:recovered', (event) => {
      for (const jws of event.detail) this.gossip({ kind: isRevocationJws(jws) ? 'revocation' : 'version', jws })
    })
  }

  readonly [Symbol.toStringTag] = 'gxcat/gossip'

  beforeStart (): void {
    const { pubsub, networkCounters, catalogueMisbehaviour } = this.components
    pubsub.topicValidators.set(CATALOGUE_TOPIC, createCatalogueValidator(async (message, from) => this.handle(message, from), this.log, {
      counters: networkCounters,
      onReject: peer => { catalogueMisbehaviour.report(peer) }
    }))
  }

  start (): void {}

  afterStart (): void {
    this.components.pubsub.subscribe(CATALOGUE_TOPIC)
    this.running = true
  }

  beforeStop (): void {
    this.running = false
  }

  stop (): void {}

  gossip (message: GossipMessage): void {
    const { pubsub, networkCounters } = this.components
    // alone on the topic, a message reaches nobody (encoding and signing it costs): a peer that comes later gets it by sync
    if (!this.running || pubsub.getSubscribers(CATALOGUE_TOPIC).length === 0) return
    pubsub.publish(CATALOGUE_TOPIC, encodeGossipMessage(message)).then(() => { networkCounters.published++ }, err => {
      this.log.error('gossiping a %s failed: %e', message.kind, err)
    })
  }

  /** A peer within twice a budget is throttled: its message ignored, with no penalty yet. */
  private throttled (err: any): boolean {
    if (!(err instanceof PeerFloodError) || err.reject) return false
    this.components.networkCounters.throttled++
    return true
  }

  private async handle (message: GossipMessage, from: string): Promise<'accepted' | 'duplicate' | 'stale'> {
    const replica = this.components.catalogueReplica
    try {
      // counted before anything is verified
      this.budget.message(from)
    } catch (err: any) {
      if (this.throttled(err)) return 'duplicate' // ignored: not verified, stored or forwarded
      throw err
    }
    if (message.kind === 'version') {
      try {
        const result = await replica.publish(message.jws, { source: 'gossip', admit: this.budget.admit(from) })
        return result.status === 'active' ? 'accepted' : result.status
      } catch (err: any) {
        // valid, but not for this node's trust policy: not stored here, still passed on to others
        if (isTrustRefusal(err)) return 'accepted'
        if (this.throttled(err)) return 'duplicate'
        throw err
      }
    }
    const result = await replica.revoke(message.jws, { source: 'gossip' })
    return result.status === 'revoked' ? 'accepted' : 'duplicate'
  }
}

export function catalogueGossip (init: GossipServiceInit = {}): (components: GossipServiceComponents) => GossipService {
  return components => new CatalogueGossip(components, init)
}
