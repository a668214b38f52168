/**
 * What one peer's gossip may cost this node, per window: its messages (counted before anything
 * is decoded), the values of the credentials it sends (what checking and indexing one costs grows
 * with them, graph-bounds.ts), and the new entries it brings (a flood of fresh identities, each a
 * new entry). Values and new entries are charged once a credential is read and checked, before
 * its signature and shapes; a duplicate of a stored head costs nothing. Past a budget the peer's
 * messages are ignored (not verified, stored or forwarded; sync recovers what an honest peer
 * relayed), past twice the budget rejected, which lowers its score as an invalid message does and
 * soon disconnects it.
 */
import { RateLimiter } from '@libp2p/utils'
import { PeerFloodError } from '../errors.ts'
import type { VerifiedCredential } from '../../protocols/self-description/index.ts'

export interface Budget { points: number, windowMs: number }

export interface PeerBudgetInit {
  /** gossip messages one peer may send per window */
  messages: Budget
  /** values of credentials one peer may send per window */
  values: Budget
  /** new entries one peer may bring per window */
  newEntries: Budget
}

export interface PeerBudget {
  /** charges one message of `peer`; throws PeerFloodError past its budget */
  message (peer: string): void
  /** the check a credential from `peer` passes before it is verified (CatalogueNode.publish's `admit`) */
  admit (peer: string): (checked: VerifiedCredential, isNew: boolean) => void
}

/** One budget per peer: consume charges it, and throws PeerFloodError past it. */
function peerWindow (budget: Budget, what: string): { consume: (peer: string, points: number) => void } {
  const limiter = new RateLimiter({ points: budget.points, duration: budget.windowMs / 1000 })
  return {
    consume (peer, points) {
      try {
        limiter.consume(peer, points)
      } catch (err: any) {
        const consumed = Number(err.consumedPoints ?? points)
        throw new PeerFloodError(`${peer} sent ${consumed} ${what} in ${budget.windowMs} ms, more than its budget of ${budget.points}`, consumed > 2 * budget.points)
      }
    }
  }
}

export function createPeerBudget (init: PeerBudgetInit): PeerBudget {
  const messages = peerWindow(init.messages, 'gossip messages')
  const values = peerWindow(init.values, 'credential values')
  const newEntries = peerWindow(init.newEntries, 'new entries')
  return {
    message: peer => { messages.consume(peer, 1) },
    admit: peer => (checked, isNew) => {
      values.consume(peer, checked.values)
      if (isNew) newEntries.consume(peer, 1)
    }
  }
}
