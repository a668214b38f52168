/**
 * A worker thread that owns a node's RDF store, so that JSON-LD parsing and long SPARQL
 * queries run beside the event loop, not on it. Messages are handled in order, so a query
 * sees every change sent before it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createRdfStore } from './rdf-store.ts'
import type { RdfRequest, RdfResponse } from './rdf-index.ts'

const store = createRdfStore()
const maxResultBytes: number = workerData?.maxResultBytes ?? Infinity
const port = parentPort
if (port == null) throw new Error('rdf-worker.ts runs in a worker thread')

port.on('message', (message: RdfRequest) => {
  if (message.op === 'load') {
    store.load(message.versions, (cid, err) => { port.postMessage({ op: 'load-error', cid, message: err.message } satisfies RdfResponse) })
    port.postMessage({ op: 'loaded' } satisfies RdfResponse)
  } else if (message.op === 'load-nquads') {
    store.loadNQuads(message.text, message.cids, (cid, err) => { port.postMessage({ op: 'load-error', cid, message: err.message } satisfies RdfResponse) })
    // its memory goes back now, not at a garbage collection of this thread that may come much later:
    // the sender would meanwhile allocate the next texts beside it and grow its heap for good
    message.text.buffer.transfer(0)
    port.postMessage({ op: 'loaded' } satisfies RdfResponse)
  } else if (message.op === 'remove') {
    for (const cid of message.cids) store.remove(cid)
  } else if (message.op === 'query') {
    // the query's time budget runs from here, not from when it was queued
    port.postMessage({ op: 'started', id: message.id } satisfies RdfResponse)
    try {
      const result = store.query(message.sparql, message.accept)
      if (result.body.length > maxResultBytes) {
        port.postMessage({ op: 'result', id: message.id, error: { name: 'QueryTooLargeError', message: `the answer is ${result.body.length} characters, more than ${maxResultBytes}: add a LIMIT` } } satisfies RdfResponse)
        return
      }
      port.postMessage({ op: 'result', id: message.id, result } satisfies RdfResponse)
    } catch (err: any) {
      port.postMessage({ op: 'result', id: message.id, error: { name: err.name, message: err.message } } satisfies RdfResponse)
    }
  } else if (message.op === 'sync') {
    port.postMessage({ op: 'result', id: message.id } satisfies RdfResponse)
  }
})
