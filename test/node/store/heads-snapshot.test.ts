import assert from 'node:assert/strict'
import { parseHeads, serializeHeads } from '../../../node/store/heads-snapshot.ts'
import type { MemoryHead } from '../../../node/store/catalogue-store.ts'

describe('heads snapshot', () => {
  const heads: Array<[string, MemoryHead]> = [
    ['bafkreientryone', { cid: 'bafkreicidone', validFrom: '2026-01-01T00:00:00Z', seq: 0 }],
    ['bafkreientrytwo', { cid: 'bafkreicidtwo', validFrom: '2026-01-02T00:00:00.123+01:00', seq: 41 }]
  ]

  it('reads back what it wrote, also none', () => {
    assert.deepEqual(parseHeads(serializeHeads(heads)), heads)
    assert.deepEqual(parseHeads(serializeHeads([])), [])
  })

  it('refuses text it did not write', () => {
    const [one, two] = serializeHeads(heads).split('\n')
    for (const bad of [
      `${one}\nnot a head`,
      `${one}\n${two}\textra`,
      `${one}\nbafkreientrytwo\tbafkreicidtwo\t2026-01-02T00:00:00Z`,
      `${one}\nbafkreientrytwo\tbafkreicidtwo\t2026-01-02T00:00:00Z\tforty`,
      `${one}\nbafkreientrytwo\tbafkreicidtwo\t2026-01-02T00:00:00Z\t-1`,
      `${one}\n\tbafkreicidtwo\t2026-01-02T00:00:00Z\t41`,
      `${one}\nbafkreientrytwo\tbafkreicidtwo\t2026-01-02T00:00:00Z\t`
    ]) assert.equal(parseHeads(bad), undefined, bad)
  })
})
