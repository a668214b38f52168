/**
 * A worker thread of the shapes pool: parses every shape release as it starts (then says it is
 * ready), runs the official Gaia-X shapes over the batches of credentials it is sent and
 * answers each with its violations, in order.
 */
import { parentPort } from 'node:worker_threads'
import { gaiaxShapes, SHAPE_RELEASES } from '../../protocols/self-description/index.ts'
import { SHAPES_BATCH } from '../constants.ts'
import type { ShapesRequest, ShapesResponse } from './shapes-pool.ts'

if (parentPort == null) throw new Error('shapes-worker.ts runs in a worker thread')
const port = parentPort

// parse every release now, before the first credential waits for it (about a second each)
for (const release of SHAPE_RELEASES) gaiaxShapes().shapeCount(release.namespace)
port.postMessage({ ready: true } satisfies ShapesResponse)

// requests that queued while the worker was busy (small batches from HTTP clients and gossip
// arrive tick by tick) are validated together, up to SHAPES_BATCH credentials a call
let queue: ShapesRequest[] = []
let scheduled = false
let busy = false

port.on('message', (request: ShapesRequest) => {
  queue.push(request)
  schedule()
})

function schedule (): void {
  if (scheduled || busy || queue.length === 0) return
  scheduled = true
  setImmediate(run)
}

function run (): void {
  scheduled = false
  const requests: ShapesRequest[] = []
  let count = 0
  while (queue.length > 0 && (requests.length === 0 || count + queue[0].texts.length <= SHAPES_BATCH)) {
    const request = queue.shift() as ShapesRequest
    requests.push(request)
    count += request.texts.length
  }
  const parsed: Array<{ id: number, credentials: Array<Record<string, unknown>> }> = []
  for (const request of requests) {
    try {
      parsed.push({ id: request.id, credentials: request.texts.map(text => JSON.parse(text)) })
    } catch (err: any) {
      port.postMessage({ id: request.id, error: `${err.name}: ${err.message}` } satisfies ShapesResponse)
    }
  }
  busy = true
  gaiaxShapes().validate(parsed.flatMap(p => p.credentials)).then(
    results => {
      let offset = 0
      for (const { id, credentials } of parsed) {
        port.postMessage({ id, results: results.slice(offset, offset += credentials.length) } satisfies ShapesResponse)
      }
    },
    (err: Error) => { for (const { id } of parsed) port.postMessage({ id, error: `${err.name}: ${err.message}` } satisfies ShapesResponse) }
  ).finally(() => {
    busy = false
    schedule()
  })
}
