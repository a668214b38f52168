/**
 * `npm run bench -- gaia-x`: Loire credentials (PS256 VC-JWT, did:web key with an x5u chain to a
 * trust anchor, 2511 LegalPerson and ServiceOffering) per second through a node under trust
 * policy `anchors` with warm DID/chain caches, beside raw PS256 verifications per second in the
 * same run; and the cost of the official 2511 SHACL shapes per credential, one at a time and in
 * batches of 1,000 (target ≤ 0.2 ms per credential in bulk). `BENCH_SCALE=0.1` for a quick look.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCatalogueNode } from '../node/catalogue-node.ts'
import { createDidResolver, createTrustPolicy, decodeJws, gaiaxShapes } from '../protocols/self-description/index.ts'
import { directoryBytes } from './directory-bytes.ts'
import { createLoireCorpus } from './loire-corpus.ts'
import { fmt, rawPs256VerifyRate, shapesMsPerCredential } from './raw-verify.ts'
import { GX_2511 } from '../protocols/constants.ts'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const n = (count: number): number => Math.max(100, Math.round(count * scale))

export async function gaiaxBenchmark (): Promise<void> {
  const count = n(4000)
  const { web, root, credentials } = await createLoireCorpus(count)
  const bytes = credentials.reduce((sum, c) => sum + c.length, 0) / count
  console.log(`gaia-x: ${fmt(count)} Loire VC-JWTs (PS256, x5u chain of 3, 2511 LegalPerson/ServiceOffering), ${fmt(bytes)} bytes on average`)

  // shapes: parse once per process
  let start = performance.now()
  const shapes = gaiaxShapes()
  console.log(`  2511 shapes loaded: ${shapes.shapeCount(GX_2511)} node shapes in ${fmt(performance.now() - start)} ms (once per process)`)
  const payloads = credentials.map(c => decodeJws(c, Infinity, 'the credential').payload)
  await shapes.validate(payloads.slice(0, 200)) // warm-up
  const single = Math.min(count, 2000)
  start = performance.now()
  for (const payload of payloads.slice(0, single)) await shapes.validate([payload])
  const oneAtATime = (performance.now() - start) / single
  const bulk = await shapesMsPerCredential(credentials)
  console.log(`  SHACL one at a time                ${oneAtATime.toFixed(3)} ms per credential`)
  console.log(`  SHACL in batches of 1,000          ${bulk.toFixed(3)} ms per credential (target ≤ 0.2)`)

  const dir = await mkdtemp(join(tmpdir(), 'gxcat-bench-gaiax-'))
  const node = createCatalogueNode({
    dataDir: dir,
    resolver: createDidResolver({ originOverrides: [web.override] }),
    trust: createTrustPolicy({ mode: 'anchors', anchors: [root.pem] })
  })
  await node.start()
  await node.shapes.ready?.() // measured once the shape workers have parsed the shapes, as the in-thread figures above are
  try {
    await node.publish(credentials[0]) // warm DID document and chain caches
    const raw = rawPs256VerifyRate(Buffer.from(credentials[1]))
    start = performance.now()
    let next = 1
    const worker = async (): Promise<void> => {
      while (next < credentials.length) {
        const result = await node.publish(credentials[next++])
        if (result.status !== 'active') throw new Error(`not stored: ${result.status}`)
      }
    }
    await Promise.all(Array.from({ length: 64 }, worker))
    const rate = (credentials.length - 1) / ((performance.now() - start) / 1000)
    console.log(`  raw node:crypto PS256 verify       ${fmt(raw)} /s (1 thread)`)
    console.log(`  node ingest, trust anchors         ${fmt(rate)} /s (64 in flight)   ratio ${(rate / raw).toFixed(2)}`)
    await node.stop()
    const jwsBytes = credentials.reduce((sum, c) => sum + c.length, 0)
    const diskBytes = await directoryBytes(dir)
    console.log(`  disk                               ${fmt(diskBytes / 2 ** 20, 1)} MiB for ${fmt(jwsBytes / 2 ** 20, 1)} MiB of JWS: ${(diskBytes / jwsBytes).toFixed(2)}× (target ≤ 1.5×)`)
  } finally {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
    await web.close()
  }
}
