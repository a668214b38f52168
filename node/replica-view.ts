/**
 * What a catalogue node shows the network services (CatalogueReplica): its intake, its heads
 * and stored versions, and its accepted events; nothing else of its store.
 */
import type { CatalogueNode } from './catalogue-node-api.ts'
import type { CatalogueReplica, ReconciledItem } from './catalogue-node-api.ts'
import type { CatalogueStore } from './store/catalogue-store.ts'
import type { Registry } from 'prom-client'

export interface ReplicaViewComponents {
  node: Pick<CatalogueNode, 'addEventListener' | 'removeEventListener' | 'publish' | 'revoke' | 'getEntry' | 'resolver' | 'shapes'>
  store: CatalogueStore
  registry: Registry
}

export interface ReplicaViewInit {
  /** DIDs allowed to revoke entries of any issuer */
  revokers?: readonly string[]
}

export function createReplicaView (components: ReplicaViewComponents, init: ReplicaViewInit = {}): CatalogueReplica {
  const { node, store } = components
  return {
    addEventListener: node.addEventListener.bind(node),
    removeEventListener: node.removeEventListener.bind(node),
    publish: async (jws, options) => node.publish(jws, options),
    revoke: async (jws, options) => node.revoke(jws, options),
    getEntry: async (issuer, subject) => node.getEntry(issuer, subject),
    isActiveHead: (cid, entry) => store.getHead(entry)?.cid === cid && !store.isRevoked(entry),
    async * reconciled (): AsyncGenerator<ReconciledItem> {
      const revoked = new Set<string>()
      for await (const revocation of store.revocations()) {
        revoked.add(revocation.entry)
        yield { cid: revocation.cid, at: revocation.revokedAt, revokes: revocation.entry }
      }
      for (const [entry, head] of store.heads()) {
        if (head != null && !revoked.has(entry)) yield { cid: head.cid, at: head.validFrom }
      }
    },
    async jwsOf (items) {
      const records = await store.getVersions(items.map(item => item.cid))
      return Promise.all(items.map(async (item, i) => {
        if (records[i] != null) return records[i]?.jws
        return item.revokes == null ? undefined : (await store.getRevocation(item.revokes))?.jws
      }))
    },
    resolver: node.resolver,
    shapes: node.shapes,
    revokers: init.revokers ?? [],
    registry: components.registry
  }
}
