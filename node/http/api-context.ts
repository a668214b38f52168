/**
 * What each group of routes is given: the fastify app, the node, the network as the API shows
 * it, and publishing. Their policy (costly, write…) is route config (route-policy.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SyncStats } from '../../protocols/sync/index.ts'
import type { PublishView } from './schemas.ts'
import type { CatalogueNode, VersionView } from '../catalogue-node.ts'
import type { ReachabilityStatus } from '../network/reachability.ts'

/** What the HTTP API shows of the network layer, when there is one. */
export interface NetworkView {
  peerId (): string
  addrs (): string[]
  peers (): Array<{ peerId: string, addrs: string[], score?: number }>
  /** whether others can dial this node and why, how it takes part in the DHT, its relays */
  reachability? (): ReachabilityStatus
}

export interface PublishReply {
  created: boolean
  body: PublishView
}

export interface ApiContext {
  app: FastifyInstance
  node: CatalogueNode
  network?: NetworkView
  /** the entry from the replica, else from the network (DHT) */
  findEntry?: (issuer: string, subject: string) => Promise<VersionView>
  /** anti-entropy with one peer (id or multiaddr), or a random connected one */
  syncWith?: (peer?: string) => Promise<SyncStats & { peer: string }>
  version: string
  /** publishes a body: a VC-JWT, or a VP-JWT of several */
  publish: (body: string) => Promise<PublishReply>
  /** who sends a request, for fair shares of costly work: the operator (by its token), else its address */
  clientOf: (request: FastifyRequest) => string
}
