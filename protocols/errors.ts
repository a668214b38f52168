/**
 * What an error means to whoever meets it, carried by its class rather than looked up by its
 * name: the HTTP status a client gets (`httpStatus`), and whom a node blames when the input came
 * from a peer over gossip or sync (`blame`). Every typed error of gxcat extends one of these
 * categories, so that a new error gets the right status and the right verdict where it is
 * declared, and no list elsewhere has to remember it.
 */

/**
 * Whom an error blames for input a peer relayed: `sender` (wrong whoever sends it: gossip
 * rejects it and lowers the sender's score, sync counts it against the peer), `nobody` (the
 * input may be right and the sender honest: the issuer's infrastructure failed, time moved on,
 * it was revoked since), `policy` (valid, but this node's trust policy does not store it: it is
 * still forwarded), or `this-node` (this node cannot work now: its store failed, it is stopping).
 */
export type Blame = 'sender' | 'nobody' | 'policy' | 'this-node'

export class CatalogueError extends Error {
  /** the HTTP status a client gets */
  readonly httpStatus: number = 500
  readonly blame: Blame = 'sender'
}

/** Input that is wrong whoever sends it: 400. */
export class InvalidInputError extends CatalogueError {
  override readonly httpStatus: number = 400
}

/**
 * Input that cannot be judged valid now, although its sender may be honest: 400, nobody blamed.
 * The issuer's own infrastructure failed, or changed (it rotated the key away from its DID
 * document, or renewed its certificate for another key); or time moved on: a credential (or a
 * certificate of its chain) that was valid when the peer took it has expired since, or the peer's
 * clock is ahead of this node's. A peer that holds a credential offers it in sync for as long as
 * it holds it: blaming it would disconnect honest peers for keeping what they were right to take.
 * (A forger who names a key the DID document lacks is not blamed either: its message is still
 * refused, at the cost of a cached look-up, and the per-peer limits bound how many it sends.)
 */
export class UnverifiableInputError extends CatalogueError {
  override readonly httpStatus: number = 400
  override readonly blame: Blame = 'nobody'
  /**
   * A version a peer offers from its store that it may hold in good faith: it expired since, or
   * its signature fails under the key its issuer's DID document names now (a renewed certificate
   * keeps the key id and changes the key). A peer offers what it holds for as long as it holds
   * it, so sync does not count this against it, nor fetch the version again.
   */
  readonly heldInGoodFaith: boolean = false
}

/** Input larger than any gxcat takes: 413. */
export class TooLargeError extends CatalogueError {
  override readonly httpStatus: number = 413
}

/** Valid input that this node's policy does not store: 403; it still travels on. */
export class PolicyRefusalError extends CatalogueError {
  override readonly httpStatus: number = 403
  override readonly blame: Blame = 'policy'
}

/** Input that conflicts with what is final here (a revocation): 409, nobody blamed. */
export class ConflictError extends CatalogueError {
  override readonly httpStatus: number = 409
  override readonly blame: Blame = 'nobody'
}

/** What was asked for is not here: 404. */
export class AbsentError extends CatalogueError {
  override readonly httpStatus: number = 404
}

/** A write without the node's token: 401. */
export class MissingTokenError extends CatalogueError {
  override readonly httpStatus: number = 401
}

/** This node cannot do it now (its store, its SPARQL engine, a stop under way): 503. */
export class UnavailableError extends CatalogueError {
  override readonly httpStatus: number = 503
  override readonly blame: Blame = 'this-node'
}

/** Whom an error blames for input a peer relayed (see Blame); an error gxcat did not type blames the sender, an abort this node. */
export function blameOf (err: unknown): Blame {
  if (err instanceof CatalogueError) return err.blame
  return (err as { name?: string } | null)?.name === 'AbortError' ? 'this-node' : 'sender'
}
