/**
 * What the RDF index is built from when it is loaded (at a start, or into a replaced worker): the
 * replica's active versions in batches, then the graphs linking compliant versions to their labels.
 */
import { indexPrefix } from '../store/records.ts'
import type { AbortOptions } from '../../protocols/self-description/index.ts'
import type { ComplianceIndex } from '../compliance/compliance-index.ts'
import type { CatalogueStore } from '../store/catalogue-store.ts'
import type { RdfVersion } from './rdf-store.ts'

const BATCH = 1000

export async function * activeVersions (store: CatalogueStore, compliance: ComplianceIndex, options: AbortOptions = {}): AsyncGenerator<RdfVersion[]> {
  let batch: string[] = []
  const read = async (): Promise<RdfVersion[]> => {
    const credentials = await store.activeCredentials(batch)
    batch = []
    return credentials
  }
  for await (const { cid } of store.scan(indexPrefix('a'), 0, Number.MAX_SAFE_INTEGER)) {
    options.signal?.throwIfAborted()
    batch.push(cid)
    if (batch.length === BATCH) yield await read()
  }
  if (batch.length > 0) yield await read()
  const links = compliance.linked().map(cid => compliance.linkGraph(cid)).filter(v => v != null)
  for (let i = 0; i < links.length; i += BATCH) yield links.slice(i, i + BATCH)
}
