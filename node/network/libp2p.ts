/**
 * The libp2p assembly of a catalogue node: TCP (and the in-process memory transport, or the
 * transports a caller injects), noise, yamux, identify, ping, Kademlia on our own protocol id
 * with gxcat's record validator and selector, gossipsub with peer scoring, and the catalogue's
 * own services: anti-entropy, the gossip bridge, the DHT index, peer exchange and the bootstrap
 * dialer (docs/design.md, "Layers"). Like libp2p's own libp2pDefaults(), it returns options the
 * caller may still edit.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { createPeerScoreParams, createTopicScoreParams } from '@libp2p/gossipsub/score'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { memory } from '@libp2p/memory'
import { ping, type Ping } from '@libp2p/ping'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { uPnPNAT } from '@libp2p/upnp-nat'
import { PING_STREAMS, RELAY_LIMITS, RELAY_RESERVATION_TIMEOUT_MS, RELAY_RESERVATIONS, RELAY_SLOTS } from '../constants.ts'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { CATALOGUE_TOPIC, DHT_NAMESPACE, DHT_PROTOCOL, GOSSIP_PRUNE_BACKOFF_MS, MAX_GOSSIP_MESSAGE_BYTES } from '../../protocols/constants.ts'
import { createEntryRecordValidator, selectEntryRecord } from '../../protocols/dht-records/index.ts'
import { gossipMessageId } from '../../protocols/gossip/index.ts'
import { bootstrapDialer, type BootstrapDialer } from '../../bootstrap/bootstrap-dialer.ts'
import { catalogueDht, type DhtIndex, type DhtIndexInit } from './dht-index.ts'
import { catalogueGossip, type GossipService, type GossipServiceInit } from './gossip-service.ts'
import { createPeerDenyList, denyListGater, misbehaviour, type Misbehaviour, type PeerDenyList } from './misbehaviour.ts'
import { peerExchange, type PeerExchangeInit } from './peer-exchange.ts'
import { catalogueSync, type SyncService, type SyncServiceInit } from './sync-service.ts'
import type { GossipWireMetrics } from './gossip-wire-metrics.ts'
import type { NetworkCounters } from './network-counters.ts'
import type { CatalogueReplica } from '../catalogue-node-api.ts'
import { announceFilterFor, planReachability, type ReachabilityPlan, type ReachabilitySetting } from './reachability.ts'
import type { ComponentLogger, ConnectionEncrypter, ConnectionGater, PrivateKey, Startable, Transport } from '@libp2p/interface'

export interface CatalogueServices {
  identify: Identify
  ping: Ping
  dht?: KadDHT
  pubsub?: GossipSub
  catalogueReplica: CatalogueReplica
  networkCounters: NetworkCounters
  peerDenyList: PeerDenyList
  catalogueMisbehaviour: Misbehaviour
  catalogueSync: SyncService
  catalogueGossip?: GossipService
  catalogueDht?: DhtIndex
  peerExchange: Startable
  bootstrapDialer: BootstrapDialer
  /** circuit relay v2 for others, on reachable nodes with `relay` on */
  relay?: CircuitRelayService
  [key: string]: unknown
}

export interface CatalogueLibp2pComponents {
  /** the node the services feed and read */
  replica: CatalogueReplica
  /** where the services count what they do */
  counters: NetworkCounters
}

export type CatalogueLibp2p = Libp2p<CatalogueServices>

export interface CatalogueLibp2pInit extends DhtIndexInit, GossipServiceInit, PeerExchangeInit {
  privateKey: PrivateKey
  /** listen multiaddrs: /ip4/…/tcp/…, /ip4/…/tcp/…/ws (WebSockets, e.g. behind a TLS reverse proxy on 443) and/or /memory/… */
  listen: string[]
  /** the addresses this node tells others, in place of those it listens on (a public name in front of a proxy: /dns4/HOST/tcp/443/wss) */
  announce?: string[]
  /**
   * whether others can dial this node: `private` (behind NAT, a firewall that lets nothing in)
   * runs the DHT as a client, which asks but never answers or stores, so that lookups are not
   * routed through a node nobody reaches, reserves relay slots and announces only relayed
   * addresses; `public` serves and relays; `auto` lets AutoNAT decide (reachability.ts).
   * @default 'auto'
   */
  reachability?: ReachabilitySetting
  /** offer circuit relay v2 to unreachable peers when this node is reachable. @default true */
  relay?: boolean
  /** ask the local router (UPnP IGD) to forward the listening ports. @default false */
  upnp?: boolean
  /** the certificate and key (PEM) of /wss listeners */
  tls?: { cert: string, key: string }
  /**
   * AutoNAT, relays and hole punching (DCUtR). @default true where the node listens on TCP or
   * WebSockets only; nodes on the memory transport or a simulation's injected transports go without
   */
  natTraversal?: boolean
  /** bootstrap multiaddrs (with /p2p/ID), dialled at start and whenever no peer is left */
  bootstrap?: string[]
  /** take part in gossip. @default true */
  gossip?: boolean
  /** anti-entropy settings */
  sync?: SyncServiceInit
  logger?: ComponentLogger
  /** @default 100 */
  maxConnections?: number
  /** the transports to use instead of those the listen and bootstrap addresses call for (TCP, memory): a simulation's link model */
  transports?: Array<(components: any) => Transport>
  /** the connection encrypters to use instead of noise: a simulation in virtual time, whose links no one can read */
  connectionEncrypters?: Array<(components: any) => ConnectionEncrypter>
  /** inbound connections accepted per second from one host address, and pending at once. @default libp2p's: 5 and 10 */
  inboundLimits?: { perHostPerSecond: number, pending: number }
  /** refuses peers beside those the node denies for misbehaving (a simulated partition) */
  connectionGater?: ConnectionGater
  /** how often kad-dht queries for itself (ms); simulations slow it down */
  querySelfInterval?: number
  /** run the Kademlia DHT. @default true; simulations that study gossip and sync leave it out */
  dht?: boolean
  /** ping every connection now and then and close the dead ones. @default true; simulated links do not die silently */
  connectionMonitor?: boolean
  /** where gossipsub counts what crosses the wire (simulations' reports) */
  gossipWire?: GossipWireMetrics
}

/** Gossipsub peer scoring: invalid messages on the catalogue topic cost a peer dearly. */
export function catalogueScoreParams (): ReturnType<typeof createPeerScoreParams> {
  return createPeerScoreParams({
    topics: {
      [CATALOGUE_TOPIC]: createTopicScoreParams({
        topicWeight: 1,
        timeInMeshWeight: 0.01,
        timeInMeshQuantum: 1000,
        timeInMeshCap: 300,
        firstMessageDeliveriesWeight: 1,
        firstMessageDeliveriesDecay: 0.9,
        firstMessageDeliveriesCap: 100,
        meshMessageDeliveriesWeight: 0,
        meshFailurePenaltyWeight: 0,
        invalidMessageDeliveriesWeight: -100,
        invalidMessageDeliveriesDecay: 0.99
      })
    },
    IPColocationFactorWeight: 0 // simulations and tests run many peers on one address
  })
}

/**
 * The transports that a node's listen and bootstrap addresses call for: TCP and WebSockets (a
 * node on the network dials both, whichever it listens on: peers behind proxies on 443 are
 * reached by /wss), the in-process memory transport, or both.
 */
export function transportsFor (listen: readonly string[], bootstrap: readonly string[] = [], tls?: { cert: string, key: string }): Array<(components: any) => Transport> {
  const usesTcp = listen.some(a => a.includes('/tcp/')) || bootstrap.some(a => a.includes('/tcp/'))
  const usesMemory = listen.some(a => a.startsWith('/memory')) || bootstrap.some(a => a.startsWith('/memory'))
  return [...(usesTcp || !usesMemory ? [tcp(), webSockets(tls != null ? { https: tls } : {})] : []), ...(usesMemory ? [memory()] : [])]
}

/** The relay, AutoNAT, hole-punching and UPnP services that a node's reachability plan calls for. */
function natServices (plan: ReachabilityPlan, init: CatalogueLibp2pInit): Record<string, unknown> {
  return {
    autoNAT: autoNATv2(),
    dcutr: dcutr(),
    ...(plan.relayServer ? { relay: circuitRelayServer({ reservations: { maxReservations: RELAY_RESERVATIONS, defaultDurationLimit: RELAY_LIMITS.durationMs, defaultDataLimit: RELAY_LIMITS.bytes } }) } : {}),
    ...(init.upnp === true ? { upnp: uPnPNAT({ portMappingDescription: 'gxcat' }) } : {})
  }
}

export function catalogueLibp2pOptions (components: CatalogueLibp2pComponents, init: CatalogueLibp2pInit): Libp2pOptions<CatalogueServices> {
  const { replica } = components
  const denyList = createPeerDenyList()
  const plan = planReachability(init)
  // libp2p's address manager throws on relayed /memory addresses: relays need real transports
  const natTraversal = init.natTraversal ?? (init.transports == null && !init.listen.some(a => a.startsWith('/memory')))
  const services: Record<string, unknown> = {
    // the catalogue services below find these among their components
    catalogueReplica: () => replica,
    networkCounters: () => components.counters,
    peerDenyList: () => denyList,
    identify: identify(),
    // the connection monitor pings every connection through this service; a ping still under
    // way when the next is due (a busy peer, a connection full of sync items) would otherwise
    // hit ping's limit of one stream and have the monitor close a live connection
    ping: ping({ maxOutboundStreams: PING_STREAMS, maxInboundStreams: PING_STREAMS })
  }
  if (init.dht !== false) {
    services.dht = kadDHT({
      protocol: DHT_PROTOCOL,
      ...(plan.dhtClientMode != null ? { clientMode: plan.dhtClientMode } : {}),
      validators: {
        [DHT_NAMESPACE]: createEntryRecordValidator({
          resolver: replica.resolver,
          revokers: replica.revokers,
          // a record of the version this node holds as its entry's head is not verified again,
          // and one it must verify has its signature and shapes checked in the node's workers
          knownVersion: (cid, entry) => replica.isActiveHead(cid, entry),
          shapes: replica.shapes
        })
      },
      selectors: { [DHT_NAMESPACE]: selectEntryRecord },
      // participants run on private networks and loopback as often as on public ones
      peerInfoMapper: passthroughMapper,
      allowQueryWithZeroPeers: false,
      ...(init.querySelfInterval != null ? { querySelfInterval: init.querySelfInterval } : {})
    })
  }
  if (init.gossip !== false) {
    services.pubsub = gossipsub({
      globalSignaturePolicy: 'StrictNoSign', // each message is a signed JWS already
      msgIdFn: gossipMessageId,
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      scoreParams: catalogueScoreParams(),
      scoreThresholds: { gossipThreshold: -100, publishThreshold: -500, graylistThreshold: -1000 },
      maxInboundDataLength: MAX_GOSSIP_MESSAGE_BYTES + 1024,
      // a peer pruned from a full mesh looks for another one sooner than the 60 s default,
      // and meshes are trimmed less eagerly (Dhi 12 → 24), so late joiners are not left out
      pruneBackoff: GOSSIP_PRUNE_BACKOFF_MS,
      Dhi: 24,
      allowedTopics: [CATALOGUE_TOPIC],
      ...(init.gossipWire != null ? { metricsRegister: init.gossipWire.register, metricsTopicStrToLabel: init.gossipWire.topicStrToLabel } : {})
    })
  }
  services.catalogueMisbehaviour = misbehaviour()
  services.catalogueSync = catalogueSync(init.sync)
  if (services.pubsub != null) services.catalogueGossip = catalogueGossip(init)
  if (services.dht != null) services.catalogueDht = catalogueDht(init)
  services.peerExchange = peerExchange(init)
  services.bootstrapDialer = bootstrapDialer({ list: init.bootstrap ?? [] })
  if (natTraversal) Object.assign(services, natServices(plan, init))
  const reserveRelays = natTraversal && plan.relayClient
  const announceFilter = announceFilterFor(plan)
  const transports = init.transports ?? transportsFor(init.listen, init.bootstrap, init.tls)
  return {
    privateKey: init.privateKey,
    addresses: {
      // each /p2p-circuit listen address is one reservation on a relay found among the peers
      listen: reserveRelays ? [...init.listen, ...Array.from({ length: RELAY_SLOTS }, () => '/p2p-circuit')] : init.listen,
      ...(init.announce != null && init.announce.length > 0 ? { announce: init.announce } : {}),
      ...(announceFilter != null ? { announceFilter } : {})
    },
    transports: natTraversal ? [...transports, circuitRelayTransport({ reservationCompletionTimeout: RELAY_RESERVATION_TIMEOUT_MS })] : transports,
    connectionEncrypters: init.connectionEncrypters ?? [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: init.maxConnections ?? 100,
      ...(init.inboundLimits != null ? { inboundConnectionThreshold: init.inboundLimits.perHostPerSecond, maxIncomingPendingConnections: init.inboundLimits.pending } : {})
    },
    connectionMonitor: { enabled: init.connectionMonitor !== false },
    connectionGater: denyListGater(denyList, init.connectionGater),
    logger: init.logger,
    services: services as any,
    start: false
  }
}

export async function createCatalogueLibp2p (components: CatalogueLibp2pComponents, init: CatalogueLibp2pInit): Promise<CatalogueLibp2p> {
  return createLibp2p(catalogueLibp2pOptions(components, init))
}
