/**
 * A worker thread of the shapes pool: parses every shape release as it starts (then says it is
 * ready), prepares the credentials it is sent to prepare (decoded, checked, their index terms:
 * prepare.ts), checks the signatures it is sent (synchronous node:crypto: this thread has nothing
 * else to do meanwhile), runs the official Gaia-X shapes over the credentials it is sent (those
 * whose signature verified, where it was sent one; read from their JWS where it was sent no
 * text) and answers each item, in order.
 */
import { parentPort } from 'node:worker_threads'
// the modules this thread runs, not the protocol's index: that would load all of it (DID
// resolution, fetching), about 0.14 s more before the worker is ready
import { gaiaxShapes, mentionsGaiax, SHAPE_RELEASES } from '../../protocols/self-description/gaia-x-shapes.ts'
import { credentialOfPayload, payloadTextOfJws } from '../../protocols/self-description/jws.ts'
import { verifyJwsSignatureSync } from '../../protocols/self-description/signature.ts'
import { prepareCredential, refusalOf } from './prepare.ts'
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

/** A credential prepared for the main thread (prepare.ts), or why it is refused. */
function prepared ({ jws, now }: NonNullable<ShapesItem['prepare']>): ShapesResult {
  try {
    return { prepared: prepareCredential(jws, now) }
  } catch (err: any) {
    return { refused: refusalOf(err) }
  }
}

/**
 * The credential a verified JWS carries, for its shapes: undefined where it names no Gaia-X
 * vocabulary (it conforms at once, as the pool's verdicts say of such a text).
 */
function credentialOfJws (jws: string): Record<string, unknown> | undefined {
  const text = payloadTextOfJws(jws)
  const payload = JSON.parse(text)
  const credential = credentialOfPayload(payload)
  return mentionsGaiax(credential === payload ? text : JSON.stringify(credential)) ? credential : undefined
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
  const answers = requests.map(request => request.items.map(item => item.prepare != null ? prepared(item.prepare) : { signature: item.signed != null ? checkSignature(item.signed) : undefined } as ShapesResult))
  const toValidate: Array<{ request: number, item: number, credential: Record<string, unknown> }> = []
  requests.forEach((request, r) => {
    request.items.forEach((item, i) => {
      if ((item.text == null && item.signed?.shapes !== true) || (item.signed != null && answers[r][i].signature !== true)) return
      try {
        const credential = item.text != null ? JSON.parse(item.text) : credentialOfJws(item.signed?.jws as string)
        if (credential != null) toValidate.push({ request: r, item: i, credential })
        else answers[r][i].violations = []
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
