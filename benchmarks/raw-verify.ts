/**
 * The baseline every throughput figure is compared with: raw Ed25519 verifications per
 * second with node:crypto, one thread, a 900-byte message (about one credential).
 */
import { constants, createSign, createVerify, generateKeyPairSync, sign, verify } from 'node:crypto'
import { decodeJws, gaiaxShapes } from '../protocols/self-description/index.ts'

export function rawEd25519VerifyRate (ms = 1500): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const message = Buffer.alloc(900, 'x')
  const signature = sign(null, message, privateKey)
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let k = 0; k < 100; k++) verify(null, message, publicKey, signature)
    n += 100
  }
  return n / ((performance.now() - start) / 1000)
}

/** Raw PS256 (RSA 2048) verifications per second with node:crypto, one thread, over `message`. */
export function rawPs256VerifyRate (message: Buffer, ms = 1500): number {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const options = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
  const signature = createSign('sha256').update(message).sign({ key: privateKey, ...options })
  let count = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let k = 0; k < 50; k++) createVerify('sha256').update(message).verify({ key: publicKey, ...options }, signature)
    count += 50
  }
  return count / ((performance.now() - start) / 1000)
}

/**
 * The official shapes' cost per credential in batches of 1,000, their cheapest, in a thread that
 * has been running: the first pass parses the shapes and compiles the engine's hot code, and the
 * faster of the next two counts. A credential that violates the shapes is an error.
 */
export async function shapesMsPerCredential (credentials: string[]): Promise<number> {
  const shapes = gaiaxShapes()
  const payloads = credentials.map(jws => decodeJws(jws, Infinity, 'the credential').payload)
  let shapesMs = Infinity
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now()
    for (let i = 0; i < payloads.length; i += 1000) {
      const results = await shapes.validate(payloads.slice(i, i + 1000))
      if (results.some(r => r.length > 0)) throw new Error('a generated credential violates the shapes')
    }
    if (pass > 0) shapesMs = Math.min(shapesMs, (performance.now() - start) / payloads.length)
  }
  return shapesMs
}

/**
 * What one thread needs at the least to admit a credential: its signature (`rawRate` per second)
 * and the official shapes in batches of 1,000 (shapesMsPerCredential). Per second, one thread.
 */
export async function signatureAndShapesRate (rawRate: number, credentials: string[]): Promise<{ rate: number, shapesMs: number }> {
  const shapesMs = await shapesMsPerCredential(credentials)
  return { rate: 1000 / (1000 / rawRate + shapesMs), shapesMs }
}

/**
 * A node's CPU per entry (all its threads, from the process) beside the least one thread must
 * spend on it (its signature and official shapes, measured in the same run): the ratio is the
 * overhead, whatever the number of cores; the main thread's share bounds the rate on any number.
 */
export function perEntryTally (cpuMs: number, mainMs: number, floorMs: number, label = 'per entry'): string {
  return `    ${label}: CPU ${cpuMs.toFixed(3)} ms over all threads = ${(cpuMs / floorMs).toFixed(2)} × the floor ${floorMs.toFixed(3)} ms (signature + shapes, 1 thread; target ≤ 2); main thread ${mainMs.toFixed(3)} ms (target ≤ 0.1)`
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
