/**
 * The CLI's client of a node: gxcat/client, pointed at `--node` (else $GXCAT_NODE, else the
 * default address) with `--token` (else $GXCAT_TOKEN). Errors keep the node's names for them,
 * so the CLI prints `ErrorName: reason`.
 */
import { createCatalogueClient, type CatalogueClient } from '../../client/index.ts'
import { DEFAULT_NODE_URL } from '../constants.ts'

export function nodeUrl (option: string | undefined): string {
  return (option ?? process.env.GXCAT_NODE ?? DEFAULT_NODE_URL).replace(/\/+$/, '')
}

export function clientOf (options: { node?: string, token?: string }): CatalogueClient {
  return createCatalogueClient({ url: nodeUrl(options.node), token: options.token ?? process.env.GXCAT_TOKEN })
}
