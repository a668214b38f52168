/**
 * A worker thread of the shapes pool: parses every shape release as it starts (then says it is
 * ready), runs the official Gaia-X shapes over the batches of credentials it is sent and
 * answers with their violations, in order.
 */
import { parentPort } from 'node:worker_threads'
import { gaiaxShapes, SHAPE_RELEASES } from '../../protocols/self-description/index.ts'
import type { ShapesRequest, ShapesResponse } from './shapes-pool.ts'

const port = parentPort
if (port == null) throw new Error('shapes-worker.ts runs in a worker thread')

// parse every release now, before the first credential waits for it (about a second each)
for (const release of SHAPE_RELEASES) gaiaxShapes().shapeCount(release.namespace)
port.postMessage({ ready: true } satisfies ShapesResponse)

port.on('message', (request: ShapesRequest) => {
  let credentials: Array<Record<string, unknown>>
  try {
    credentials = request.texts.map(text => JSON.parse(text))
  } catch (err: any) {
    port.postMessage({ id: request.id, error: `${err.name}: ${err.message}` } satisfies ShapesResponse)
    return
  }
  gaiaxShapes().validate(credentials).then(
    results => { port.postMessage({ id: request.id, results } satisfies ShapesResponse) },
    (err: Error) => { port.postMessage({ id: request.id, error: `${err.name}: ${err.message}` } satisfies ShapesResponse) }
  )
})
