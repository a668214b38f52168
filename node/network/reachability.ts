/**
 * Whether others can dial a node, and what follows from it: a node known to be reachable serves
 * the DHT and relays for others; one that is not asks the DHT as a client, reserves slots on
 * relays and announces only its relayed addresses, so that nobody routes lookups through, or
 * dials, an address that cannot be reached (docs/operators.md, "Behind NAT").
 *
 * The operator may say which (`--reachability public|private`). Left to `auto`, AutoNAT decides:
 * a public address that other peers dialled back makes the node reachable. AutoNAT cannot
 * judge the address ranges libp2p treats as private (RFC 1918, CGNAT, loopback, documentation
 * ranges), so a node whose own addresses and bootstrap peers are all in such ranges (a company
 * network, a test, a simulation) is on a private network where its peers dial exactly those
 * addresses: it serves.
 */
import { isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Circuit } from '@multiformats/multiaddr-matcher'

export type ReachabilitySetting = 'public' | 'private' | 'auto'

export interface ReachabilityStatus {
  reachability: 'public' | 'private' | 'unknown'
  /** why the node holds this view: the operator's word, an address AutoNAT confirmed, … */
  reason: string
  dht: 'server' | 'client' | 'off'
  /** the relays this node holds a reservation on (peer ids), when it is not reachable */
  relays: string[]
}

export interface ReachabilityPlan {
  setting: ReachabilitySetting
  /** kad-dht's clientMode: true or false where decided now, undefined to follow the verified addresses */
  dhtClientMode: boolean | undefined
  /** offer circuit relay v2 to others */
  relayServer: boolean
  /** reserve slots on relays, and announce only the relayed addresses */
  relayClient: boolean
  /** a private network: every address is private, and peers dial those */
  privateNetwork: boolean
}

function isPrivateAddress (address: string | Multiaddr): boolean {
  if (address.toString().startsWith('/memory')) return true
  try {
    return isPrivate(typeof address === 'string' ? multiaddr(address) : address)
  } catch {
    return false
  }
}

/** An address others dial directly across the internet: neither relayed nor in a private range. */
function isDirectPublic (address: Multiaddr): boolean {
  return !Circuit.matches(address) && !isPrivateAddress(address)
}

/**
 * What a node not known to be reachable tells others: its relayed addresses, and the public
 * ones AutoNAT confirmed (none where the operator calls it private); never a LAN address.
 * Undefined where the node is reachable and announces what it listens on.
 */
export function announceFilterFor (plan: ReachabilityPlan): ((addresses: Multiaddr[]) => Multiaddr[]) | undefined {
  if (!plan.relayClient) return undefined
  return addresses => addresses.filter(a => Circuit.matches(a) || (plan.setting !== 'private' && isDirectPublic(a)))
}

/** What a node's setting, listen, announce and bootstrap addresses make of its reachability. */
export function planReachability (init: { reachability?: ReachabilitySetting, relay?: boolean, listen: readonly string[], announce?: readonly string[], bootstrap?: readonly string[] }): ReachabilityPlan {
  const setting = init.reachability ?? 'auto'
  const addresses = [...init.listen, ...(init.announce ?? []), ...(init.bootstrap ?? [])]
  const privateNetwork = setting === 'auto' && addresses.every(isPrivateAddress)
  const reachable = setting === 'public' || privateNetwork
  const unreachable = setting === 'private'
  return {
    setting,
    privateNetwork,
    dhtClientMode: reachable ? false : unreachable ? true : undefined,
    relayServer: init.relay !== false && !unreachable,
    relayClient: !reachable
  }
}

/** The relays (peer ids) that a node's relayed addresses go through. */
export function relaysIn (addresses: readonly Multiaddr[]): string[] {
  const relays = new Set<string>()
  for (const address of addresses) {
    if (!Circuit.matches(address)) continue
    const relay = address.toString().split('/p2p-circuit')[0].split('/p2p/')[1]
    if (relay != null) relays.add(relay)
  }
  return [...relays]
}

/**
 * Whether a node is reachable now, and why, from its plan and the addresses it tells others
 * (libp2p's verified ones: announced, private, or public and dialled back by AutoNAT).
 */
export function reachabilityStatus (plan: ReachabilityPlan, state: { addresses: readonly Multiaddr[], dht: ReachabilityStatus['dht'] }): ReachabilityStatus {
  const { dht } = state
  const relays = relaysIn(state.addresses)
  if (plan.setting === 'public') return { reachability: 'public', reason: 'set public (--reachability public, or the default of gxcat bootstrap)', dht, relays }
  if (plan.setting === 'private') return { reachability: 'private', reason: 'the operator says so (--reachability private)', dht, relays }
  if (plan.privateNetwork) return { reachability: 'public', reason: 'a private network: this node\'s addresses and bootstrap peers are all private, and its peers dial those', dht, relays }
  const confirmed = state.addresses.find(isDirectPublic)
  if (confirmed != null) return { reachability: 'public', reason: `${confirmed.toString()} is announced or was dialled back by peers (AutoNAT)`, dht, relays }
  return { reachability: 'unknown', reason: 'no public address is announced or confirmed by AutoNAT yet: asking the DHT as a client, reachable through relays', dht, relays }
}
