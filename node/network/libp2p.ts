/**
 * The libp2p assembly of a catalogue node: TCP (and the in-process memory transport), noise,
 * yamux, identify, ping, Kademlia on our own protocol id with gxcat's record validator and
 * selector, and gossipsub with peer scoring. Bootstrap peers are dialled by bootstrap/. Like libp2p's own
 * libp2pDefaults(), it returns options the caller may still edit.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { createPeerScoreParams, createTopicScoreParams } from '@libp2p/gossipsub/score'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { memory } from '@libp2p/memory'
import { ping, type Ping } from '@libp2p/ping'
import { PING_STREAMS } from '../constants.ts'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { CATALOGUE_TOPIC, DHT_NAMESPACE, DHT_PROTOCOL, GOSSIP_PRUNE_BACKOFF_MS, MAX_GOSSIP_MESSAGE_BYTES } from '../../protocols/constants.ts'
import { createEntryRecordValidator, selectEntryRecord } from '../../protocols/dht-records/index.ts'
import { gossipMessageId } from '../../protocols/gossip/index.ts'
import type { GossipWireMetrics } from './gossip-wire-metrics.ts'
import type { DidResolver, ShapesValidator } from '../../protocols/self-description/index.ts'
import type { ComponentLogger, ConnectionGater, PrivateKey, Transport } from '@libp2p/interface'

export interface CatalogueServices {
  identify: Identify
  ping: Ping
  dht?: KadDHT
  pubsub?: GossipSub
  [key: string]: unknown
}

export type CatalogueLibp2p = Libp2p<CatalogueServices>

export interface CatalogueLibp2pInit {
  privateKey: PrivateKey
  /** listen multiaddrs: /ip4/…/tcp/… and/or /memory/… */
  listen: string[]
  /** bootstrap multiaddrs (with /p2p/ID), to pick the transports they need; dialled by the network layer */
  bootstrap?: string[]
  /** take part in gossip. @default true */
  gossip?: boolean
  resolver: DidResolver
  revokers?: readonly string[]
  /** whether a version is the current one of its entry here (EntryRecordInit.knownVersion) */
  knownVersion?: (cid: string, entry: string) => boolean
  /** where DHT records' shapes run (EntryRecordInit.shapes) */
  shapes?: ShapesValidator
  logger?: ComponentLogger
  /** @default 100 */
  maxConnections?: number
  /** per-link latency etc. for the memory transport (simulations) */
  memory?: Parameters<typeof memory>[0]
  /** inbound connections accepted per second from one host address, and pending at once. @default libp2p's: 5 and 10 */
  inboundLimits?: { perHostPerSecond: number, pending: number }
  /** simulations: wraps each transport (a link model on every connection) */
  wrapTransport?: (factory: (components: any) => Transport) => (components: any) => Transport
  /** refuses peers (the network layer denies misbehaving ones) */
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

export function catalogueLibp2pOptions (init: CatalogueLibp2pInit): Libp2pOptions<CatalogueServices> {
  const usesTcp = init.listen.some(a => a.includes('/tcp/')) || (init.bootstrap ?? []).some(a => a.includes('/tcp/'))
  const usesMemory = init.listen.some(a => a.startsWith('/memory')) || (init.bootstrap ?? []).some(a => a.startsWith('/memory'))
  const services: Record<string, unknown> = {
    identify: identify(),
    // the connection monitor pings every connection through this service; a ping still under
    // way when the next is due (a busy peer, a connection full of sync items) would otherwise
    // hit ping's limit of one stream and have the monitor close a live connection
    ping: ping({ maxOutboundStreams: PING_STREAMS, maxInboundStreams: PING_STREAMS })
  }
  if (init.dht !== false) {
    services.dht = kadDHT({
      protocol: DHT_PROTOCOL,
      clientMode: false,
      validators: { [DHT_NAMESPACE]: createEntryRecordValidator({ resolver: init.resolver, revokers: init.revokers, knownVersion: init.knownVersion, shapes: init.shapes }) },
      selectors: { [DHT_NAMESPACE]: selectEntryRecord },
      // participants run on private networks and loopback as often as on public ones
      peerInfoMapper: passthroughMapper,
      allowQueryWithZeroPeers: true,
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
  return {
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [...(usesTcp || !usesMemory ? [tcp()] : []), ...(usesMemory ? [memory(init.memory)] : [])].map(factory => init.wrapTransport?.(factory) ?? factory),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: init.maxConnections ?? 100,
      ...(init.inboundLimits != null ? { inboundConnectionThreshold: init.inboundLimits.perHostPerSecond, maxIncomingPendingConnections: init.inboundLimits.pending } : {})
    },
    connectionMonitor: { enabled: init.connectionMonitor !== false },
    connectionGater: init.connectionGater,
    logger: init.logger,
    services: services as any,
    start: false
  }
}

export async function createCatalogueLibp2p (init: CatalogueLibp2pInit): Promise<CatalogueLibp2p> {
  return createLibp2p(catalogueLibp2pOptions(init))
}
