/**
 * gxcat: a catalogue node as a library. Each group below is public for a reason:
 *
 * - **One node** (11 names): `createCatalogueNode` verifies, stores and answers queries; its
 *   events, results and views.
 * - **Around it** (8): `createCatalogueNetwork` joins a node to the network (gossip, DHT, sync),
 *   `createHttpApi` serves its HTTP API, `runNode` does all of it from a data directory as
 *   `gxcat start` does.
 * - **Its data directory** (5): config, and `repairStore` for a store that refused to open.
 * - **Errors** (1): `errors`, every named error a node throws (`errors.NodeBusyError`…).
 * - **What a node needs from the protocols** (6): an issuer key, a signed credential, the
 *   resolver and trust policy a node is built with; and `protocols`, all of `gxcat/protocols`.
 *
 * @packageDocumentation
 * @example
 * ```ts
 * import { createCatalogueNode, generateIssuerKey, signCredential } from 'gxcat'
 *
 * const node = createCatalogueNode({ dataDir: './catalogue' })
 * await node.start()
 * const result = await node.publish(await signCredential({ id: 'https://provider.example/services/demo', type: 'gx:ServiceOffering', 'schema:name': 'Demo' }, generateIssuerKey()))
 * console.log(result.status, result.cid, node.counts())
 * await node.stop()
 * ```
 */
export {
  createCatalogueNode,
  type CatalogueNode, type CatalogueNodeInit, type CatalogueNodeEvents, type Facets, type SparqlStatus,
  type PresentationResult, type PublishResult, type RevokeResult, type VersionView
} from './catalogue-node.ts'
export type { ComplianceView } from './compliance/compliance-index.ts'
export { createCatalogueNetwork, type CatalogueNetwork, type CatalogueNetworkInit } from './network/catalogue-network.ts'
export { createHttpApi, type HttpApiInit } from './http/server.ts'
export { runNode, type RunNodeOptions, type RunningNode } from './run-node.ts'
export { defaultConfig, initDataDir, loadConfig, type NodeConfig } from './config.ts'
export { repairStore } from './store/repair.ts'
export * as errors from './errors.ts'
export { generateIssuerKey, signCredential, didOf, createDidResolver, createTrustPolicy } from '../protocols/index.ts'
export * as protocols from '../protocols/index.ts'
