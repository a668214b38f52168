import assert from 'node:assert/strict'
import { createDidResolver, verifyCredential } from '../../protocols/self-description/index.ts'
import { generateJws, syntheticSelfDescriptions } from '../../simulations/generator.ts'

describe('synthetic self-description generator', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await generateJws(12, { seed: 7 })
    const b = await generateJws(12, { seed: 7 })
    const c = await generateJws(12, { seed: 8 })
    assert.deepEqual(a, b)
    assert.notDeepEqual(a, c)
  })

  it('makes participants, services and resources that reference each other, all valid', async () => {
    const sds = [...syntheticSelfDescriptions({ count: 30, seed: 3 })]
    const kinds = new Set(sds.map(s => s.kind))
    assert.deepEqual([...kinds].sort(), ['participant', 'resource', 'service'])
    const ids = new Set(sds.map(s => s.subject.id))
    for (const sd of sds.filter(s => s.kind === 'resource')) {
      assert.ok(ids.has((sd.subject['gx:exposedThrough'] as any).id))
      assert.ok(ids.has((sd.subject['gx:producedBy'] as any).id))
    }
    const resolver = createDidResolver()
    for (const jws of await generateJws(30, { seed: 3 })) await verifyCredential(jws, { resolver })
  })
})
