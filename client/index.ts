/**
 * gxcat/client: a typed client of a gxcat node's HTTP API for apps. Needs only `fetch`
 * (Node ≥ 22, browsers).
 *
 * @example
 * ```ts
 * import { createCatalogueClient } from 'gxcat/client'
 * const client = createCatalogueClient({ url: 'http://127.0.0.1:7420' })
 * for await (const item of client.listAll({ type: 'gx:ServiceOffering' })) console.log(item.subject)
 * ```
 */
export { createCatalogueClient, CLIENT_ROUTES, type CatalogueClient, type CatalogueClientInit, type CallOptions, type SparqlOptions, type SubmissionType } from './catalogue-client.ts'
export { NodeError, NodeUnreachableError } from './errors.ts'
export type * from './types.ts'
