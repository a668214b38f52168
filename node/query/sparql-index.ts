/**
 * The SPARQL index a node holds, as its init says: an external store (`sparqlStore`), its own
 * engines (the default), or none (`sparql: false`).
 */
import { createExternalIndex } from './external-index.ts'
import { createRdfIndex, type RdfIndex, type RdfIndexComponents, type RdfIndexInit } from './rdf-index.ts'
import type { CatalogueNodeInit } from '../catalogue-node-api.ts'

export interface SparqlIndexParts {
  source: NonNullable<RdfIndexInit['source']>
  /** the active entries of the replica */
  expected: () => number
}

export function createSparqlIndex (components: RdfIndexComponents, init: CatalogueNodeInit, { source, expected }: SparqlIndexParts): RdfIndex | undefined {
  const limits = { queryTimeoutMs: init.queryTimeoutMs, maxQueued: init.maxQueuedQueries, budget: init.sparqlBudget, source }
  if (init.sparqlStore != null) return createExternalIndex(components, { ...init.sparqlStore, ...limits, expected })
  if (init.sparql === false) return undefined
  return createRdfIndex(components, { ...limits, worker: init.rdfWorker, maxQueryMemory: init.queryMemoryBytes, workers: init.sparqlWorkers })
}
