/**
 * The baseline every throughput figure is compared with: raw Ed25519 verifications per
 * second with node:crypto, one thread, a 900-byte message (about one credential).
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto'

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

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
