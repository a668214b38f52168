/**
 * What the network services need of a node (docs/design.md, "Layers"): to hand it what arrives,
 * to read what it holds, and to hear what it accepts. A catalogue node offers this as its
 * `replica`; the services never see its store, HTTP or SPARQL.
 */
import type { TypedEventTarget } from 'main-event'
import type { CatalogueNodeEvents, PublishOptions, PublishResult, RevokeResult, Source, VersionView } from '../catalogue-node-api.ts'
import type { AbortOptions, DidResolver, ShapesValidator } from '../../protocols/self-description/index.ts'
import type { Registry } from 'prom-client'

/** A version or revocation the replica holds that anti-entropy reconciles. */
export interface ReconciledItem {
  cid: string
  /** when it took effect (validFrom of a version, revokedAt of a revocation), ISO 8601 */
  at: string
  /** for a revocation: the entry it revokes */
  revokes?: string
}

export type ReplicaEvents = Pick<CatalogueNodeEvents, 'version:accepted' | 'revocation:accepted'>

export interface CatalogueReplica extends Pick<TypedEventTarget<ReplicaEvents>, 'addEventListener' | 'removeEventListener'> {
  /** verifies and stores a version, as the node's API does */
  publish (jws: string, options: PublishOptions): Promise<PublishResult>
  /** verifies and stores a revocation */
  revoke (jws: string, options: AbortOptions & { source: Source }): Promise<RevokeResult>
  /** the entry's head; NotFoundError when the replica holds none */
  getEntry (issuer: string, subject: string): Promise<VersionView>
  /** whether this version is its entry's active (unrevoked) head here */
  isActiveHead (cid: string, entry: string): boolean
  /** the active heads and the revocations: what anti-entropy reconciles */
  reconciled (): AsyncIterable<ReconciledItem>
  /** the JWS of stored versions and revocations by CID (a revocation found through its entry) */
  jwsOf (items: Array<{ cid: string, revokes?: string }>): Promise<Array<string | undefined>>
  readonly resolver: DidResolver
  readonly shapes: ShapesValidator
  /** DIDs allowed to revoke entries of any issuer */
  readonly revokers: readonly string[]
  /** where the services' Prometheus metrics go */
  readonly registry: Registry
}
