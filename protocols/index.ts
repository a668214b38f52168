/**
 * gxcat/protocols: what crosses the wire or must be byte-identical between nodes: the
 * self-description envelope (sign, verify, CID, shapes, revocation), the gossip topic and its
 * validator, the DHT record namespace and its validator and selector, the sync protocol and the
 * peer list exchange.
 */
export * from './constants.ts'
export * from './errors.ts'
export * from './self-description/index.ts'
export * from './gossip/index.ts'
export * from './dht-records/index.ts'
export * from './sync/index.ts'
export * from './peer-list/index.ts'
