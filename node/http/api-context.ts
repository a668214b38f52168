/**
 * What each group of routes is given: the fastify app, the node, the network as the API shows
 * it, and the shared policy hooks (the write check, publishing).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { CatalogueNode, VersionView } from '../catalogue-node.ts'

/** What the HTTP API shows of the network layer, when there is one. */
export interface NetworkView {
  peerId (): string
  addrs (): string[]
  peers (): Array<{ peerId: string, addrs: string[], score?: number }>
}

export interface PublishReply {
  created: boolean
  body: Record<string, unknown>
}

export interface ApiContext {
  app: FastifyInstance
  node: CatalogueNode
  network?: NetworkView
  /** the entry from the replica, else from the network (DHT) */
  findEntry?: (issuer: string, subject: string) => Promise<VersionView>
  /** anti-entropy with one peer (id or multiaddr), or a random connected one */
  syncWith?: (peer?: string) => Promise<Record<string, unknown>>
  version: string
  requireWrite: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /** publishes a body: a VC-JWT, or a VP-JWT of several */
  publish: (body: string) => Promise<PublishReply>
}
