/**
 * The `warning` of a listing or facets answer whose type filter names nothing known.
 */
import { MAX_FACETS } from '../constants.ts'
import { typeHint } from '../query/type-hint.ts'
import type { CatalogueNode } from '../catalogue-node-api.ts'

export function typeHintOf (node: Pick<CatalogueNode, 'store'>, type: string): string | undefined {
  if (type === '') return undefined
  return typeHint(type, () => node.store.facets('type', MAX_FACETS).map(t => t.value))
}
