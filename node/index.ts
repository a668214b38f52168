/**
 * gxcat: a catalogue node as a library. `createCatalogueNode` is one node (verification,
 * store, queries); `createCatalogueNetwork` joins it to the network (gossip, DHT, sync);
 * `createHttpApi` serves its HTTP API; `runNode` does all of it from a data directory, as
 * `gxcat start` does. The protocol functions are in gxcat/protocols, an HTTP client in
 * gxcat/client.
 */
export { createCatalogueNode, type CatalogueNode, type CatalogueNodeInit, type CatalogueNodeEvents, type Facets, type SparqlStatus, type PresentationResult, type PublishResult, type RevokeResult, type Source, type VersionView } from './catalogue-node.ts'
export { createCatalogueNetwork, type CatalogueNetwork, type CatalogueNetworkInit } from './network/catalogue-network.ts'
export { createHttpApi, type HttpApiInit } from './http/server.ts'
export { runNode, type RunNodeOptions, type RunningNode } from './run-node.ts'
export { defaultConfig, initDataDir, loadConfig, type NodeConfig } from './config.ts'
export { repairStore } from './store/repair.ts'
export * from './errors.ts'
export * from '../protocols/index.ts'
