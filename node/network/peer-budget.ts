/**
 * What a peer's gossip may cost this node, per window: the values of the credentials it sends
 * (what checking and indexing one costs grows with them, graph-bounds.ts), and the new entries it
 * brings (a flood of fresh identities, each a new entry). Charged once a credential is read and
 * checked, before its signature and shapes; a duplicate of a stored head costs nothing. Past a
 * budget its messages are ignored (not verified, stored or forwarded; sync recovers what an
 * honest peer relayed), past twice the budget rejected, which lowers the peer's score as an
 * invalid message does.
 */
import { RateLimiter } from '@libp2p/utils'
import { PeerOverBudgetError } from '../errors.ts'
import type { VerifiedCredential } from '../../protocols/self-description/index.ts'

export interface Budget { points: number, windowMs: number }

export interface PeerBudgetInit {
  /** values of credentials one peer may send per window */
  values: Budget
  /** new entries one peer may bring per window */
  newEntries: Budget
}

export interface PeerBudget {
  /** the check a credential from `peer` passes before it is verified (CatalogueNode.publish's `admit`) */
  admit (peer: string): (checked: VerifiedCredential, isNew: boolean) => void
}

export function createPeerBudget (init: PeerBudgetInit): PeerBudget {
  const charge = (limiter: RateLimiter, budget: Budget, peer: string, points: number, what: string): void => {
    try {
      limiter.consume(peer, points)
    } catch (err: any) {
      const consumed = Number(err.consumedPoints ?? points)
      throw new PeerOverBudgetError(`${peer} sent ${consumed} ${what} in ${budget.windowMs} ms, more than its budget of ${budget.points}`, consumed > 2 * budget.points)
    }
  }
  const values = new RateLimiter({ points: init.values.points, duration: init.values.windowMs / 1000 })
  const newEntries = new RateLimiter({ points: init.newEntries.points, duration: init.newEntries.windowMs / 1000 })
  return {
    admit: peer => (checked, isNew) => {
      charge(values, init.values, peer, checked.values, 'credential values')
      if (isNew) charge(newEntries, init.newEntries, peer, 1, 'new entries')
    }
  }
}
