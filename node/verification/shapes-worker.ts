/**
 * A worker thread of the shapes pool: parses every shape release as it starts (then says it is
 * ready), checks the signatures it is sent (synchronous node:crypto: this thread has nothing
 * else to do meanwhile), runs the official Gaia-X shapes over the credentials it is sent (those
 * whose signature verified, where it was sent one) and answers each item, in order.
 */
import { parentPort } from 'node:worker_threads'
// the two modules this thread runs, not the protocol's index: that would load all of it (DID
// resolution, status lists, fetching), about 0.14 s more before the worker is ready
import { gaiaxShapes, SHAPE_RELEASES } from '../../protocols/self-description/gaia-x-shapes.ts'
import { verifyJwsSignatureSync } from '../../protocols/self-description/signature.ts'
import { SHAPES_BATCH } from '../constants.ts'
import type { ShapesItem, ShapesRequest, ShapesResponse, ShapesResult } from './shapes-pool.ts'

if (parentPort == null) throw new Error('shapes-worker.ts runs in a worker thread')
const port = parentPort

// parse every release now, before the first credential waits for it (about a second each)
for (const release of SHAPE_RELEASES) gaiaxShapes().shapeCount(release.namespace)
port.postMessage({ ready: true } satisfies ShapesResponse)

// requests that queued while the worker was busy (small batches from HTTP clients and gossip
// arrive tick by tick) are validated together, up to SHAPES_BATCH credentials a call
const queue: ShapesRequest[] = []
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

/** A job's signature, checked here; an exception (a key that cannot verify) is its message. */
function checkSignature (signed: NonNullable<ShapesItem['signed']>): boolean | string {
  try {
    return verifyJwsSignatureSync(signed.jws, signed.alg, signed.key)
  } catch (err: any) {
    return String(err.message)
  }
}

function run (): void {
  scheduled = false
  const requests: ShapesRequest[] = []
  let count = 0
  while (queue.length > 0 && (requests.length === 0 || count + queue[0].items.length <= SHAPES_BATCH)) {
    const request = queue.shift() as ShapesRequest
    requests.push(request)
    count += request.items.length
  }
  // signatures first: a credential whose signature fails is not worth its shapes
  const answers = requests.map(request => request.items.map(item => ({ signature: item.signed != null ? checkSignature(item.signed) : undefined } as ShapesResult)))
  const toValidate: Array<{ request: number, item: number, credential: Record<string, unknown> }> = []
  requests.forEach((request, r) => {
    request.items.forEach((item, i) => {
      if (item.text == null || (item.signed != null && answers[r][i].signature !== true)) return
      try {
        toValidate.push({ request: r, item: i, credential: JSON.parse(item.text) })
      } catch (err: any) {
        answers[r][i].error = `${err.name}: ${err.message}`
      }
    })
  })
  // one way out, whether any shapes run (signatures only, all failed): what queued meanwhile runs next
  busy = true
  const validated = toValidate.length === 0 ? Promise.resolve([]) : gaiaxShapes().validate(toValidate.map(v => v.credential))
  validated.then(
    results => {
      toValidate.forEach((v, k) => { answers[v.request][v.item].violations = results[k] })
      requests.forEach((request, r) => { port.postMessage({ id: request.id, results: answers[r] } satisfies ShapesResponse) })
    },
    (err: Error) => { for (const request of requests) port.postMessage({ id: request.id, error: `${err.name}: ${err.message}` } satisfies ShapesResponse) }
  ).finally(() => {
    busy = false
    schedule()
  })
}
