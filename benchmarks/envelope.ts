/**
 * `npm run bench -- envelope`: verifications of self-descriptions per second (full check:
 * envelope, context, shapes, CID, signature), next to raw node:crypto Ed25519 verifications
 * per second in the same run. Target ratio ≥ 0.6.
 */
import { createDidResolver, verifyCredential } from '../protocols/self-description/index.ts'
import { generateJws } from '../simulations/generator.ts'
import { fmt, rawEd25519VerifyRate } from './raw-verify.ts'

export async function envelopeBenchmark (): Promise<void> {
  const count = 5000
  const credentials = await generateJws(count, { seed: 42 })
  const resolver = createDidResolver()
  const bytes = credentials.reduce((n, c) => n + c.length, 0)
  console.log(`envelope: ${count} generated credentials, ${fmt(bytes / count)} bytes on average`)

  // warm-up: JIT and the key cache
  await Promise.all(credentials.slice(0, 500).map(async c => verifyCredential(c, { resolver })))

  const raw = rawEd25519VerifyRate()
  const rounds = 3
  let best = 0
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    const window = 64 // verifications in flight: WebCrypto runs them on libuv's thread pool
    for (let i = 0; i < credentials.length; i += window) {
      await Promise.all(credentials.slice(i, i + window).map(async c => verifyCredential(c, { resolver })))
    }
    best = Math.max(best, count / ((performance.now() - start) / 1000))
  }
  const sequentialStart = performance.now()
  for (const c of credentials.slice(0, 2000)) await verifyCredential(c, { resolver })
  const sequential = 2000 / ((performance.now() - sequentialStart) / 1000)

  console.log(`  raw node:crypto Ed25519 verify   ${fmt(raw)} /s (1 thread)`)
  console.log(`  gxcat verifyCredential           ${fmt(best)} /s (64 in flight, best of ${rounds})   ratio ${(best / raw).toFixed(2)} (target ≥ 0.6)`)
  console.log(`  gxcat verifyCredential, one by one ${fmt(sequential)} /s   ratio ${(sequential / raw).toFixed(2)}`)
}
