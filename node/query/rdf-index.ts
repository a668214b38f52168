/**
 * The SPARQL side of the query engine, off the ingest path: changes are queued and applied in
 * batches, either in a worker thread (a node: parsing and queries leave the event loop free)
 * or inline (simulations of many nodes, where a thread per node costs too much memory).
 * A query sees every change made before it.
 */
import { Worker } from 'node:worker_threads'
import { RDF_BATCH_SIZE } from '../constants.ts'
import { InvalidQueryError, ReadOnlyQueryError } from '../errors.ts'
import { createRdfStore, type RdfVersion, type SparqlResult } from './rdf-store.ts'
import type { ComponentLogger } from '@libp2p/interface'

export type { RdfVersion, SparqlResult } from './rdf-store.ts'

export type RdfRequest =
  | { op: 'load', versions: RdfVersion[] }
  | { op: 'remove', cids: string[] }
  | { op: 'query', id: number, sparql: string, accept?: string }
  | { op: 'sync', id: number }

export type RdfResponse =
  | { op: 'result', id: number, result?: SparqlResult, error?: { name: string, message: string } }
  | { op: 'load-error', cid: string, message: string }

export interface RdfIndexComponents {
  logger: ComponentLogger
}

export interface RdfIndexInit {
  /** run the store in a worker thread. @default true */
  worker?: boolean
}

export interface RdfIndex {
  add (version: RdfVersion): void
  remove (cid: string): void
  /** resolves when every queued change is applied */
  idle (): Promise<void>
  query (sparql: string, accept?: string): Promise<SparqlResult>
  close (): Promise<void>
}

const ERRORS: Record<string, new (message: string) => Error> = { InvalidQueryError, ReadOnlyQueryError }

export function createRdfIndex (components: RdfIndexComponents, init: RdfIndexInit = {}): RdfIndex {
  const log = components.logger.forComponent('gxcat:rdf')
  let pendingAdds: RdfVersion[] = []
  let scheduled = false

  if (init.worker === false) {
    const store = createRdfStore()
    let draining: Promise<void> | undefined
    const drain = async (): Promise<void> => {
      while (pendingAdds.length > 0) {
        const batch = pendingAdds.slice(0, RDF_BATCH_SIZE)
        pendingAdds = pendingAdds.slice(batch.length)
        store.load(batch, (cid, err) => { log.error('credential %s cannot be read as RDF: %s', cid, err.message) })
        await new Promise(resolve => setImmediate(resolve))
      }
      draining = undefined
    }
    const flush = (): void => { draining ??= new Promise<void>(resolve => setImmediate(resolve)).then(drain) }
    const idle = async (): Promise<void> => { flush(); while (draining != null) await draining }
    return {
      add (version) { pendingAdds.push(version); flush() },
      remove (cid) {
        // order matters: apply the adds queued before this removal first
        store.load(pendingAdds.splice(0))
        store.remove(cid)
      },
      idle,
      async query (sparql, accept) { await idle(); return store.query(sparql, accept) },
      async close () { await idle() }
    }
  }

  const worker = new Worker(new URL('./rdf-worker.ts', import.meta.url))
  worker.unref()
  let nextId = 0
  const waiting = new Map<number, { resolve: (r: SparqlResult | undefined) => void, reject: (e: Error) => void }>()
  worker.on('message', (message: RdfResponse) => {
    if (message.op === 'load-error') {
      log.error('credential %s cannot be read as RDF: %s', message.cid, message.message)
      return
    }
    const waiter = waiting.get(message.id)
    waiting.delete(message.id)
    if (message.error != null) waiter?.reject(new (ERRORS[message.error.name] ?? Error)(message.error.message))
    else waiter?.resolve(message.result)
  })
  worker.on('error', err => {
    log.error('the RDF worker failed: %e', err)
    for (const waiter of waiting.values()) waiter.reject(new InvalidQueryError(`the SPARQL engine failed: ${err.message}`))
    waiting.clear()
  })

  const flushAdds = (): void => {
    scheduled = false
    while (pendingAdds.length > 0) worker.postMessage({ op: 'load', versions: pendingAdds.splice(0, RDF_BATCH_SIZE) } satisfies RdfRequest)
  }
  const request = async (message: { op: 'query', sparql: string, accept?: string } | { op: 'sync' }): Promise<SparqlResult | undefined> => {
    flushAdds()
    const id = nextId++
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject })
      worker.postMessage({ ...message, id } satisfies RdfRequest)
    })
  }

  return {
    add (version) {
      pendingAdds.push(version)
      if (!scheduled) { scheduled = true; setImmediate(flushAdds) }
    },
    remove (cid) {
      flushAdds()
      worker.postMessage({ op: 'remove', cids: [cid] } satisfies RdfRequest)
    },
    async idle () { await request({ op: 'sync' }) },
    async query (sparql, accept) { return await request({ op: 'query', sparql, accept }) as SparqlResult },
    async close () { await worker.terminate() }
  }
}
