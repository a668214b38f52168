import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { streamPair } from '@libp2p/utils'
import { versionCid } from '../../../protocols/self-description/identity.ts'
import {
  createSyncSet, decodeFrame, encodeFrame, idOfCid, initiateSync, respondSync, cidOfId,
  type SyncFrame, type SyncItem, type SyncSource
} from '../../../protocols/sync/index.ts'
import { seededRandom } from '../../../simulations/generator.ts'

/** A sync source over fake versions: the JWS is any string whose CID gives the id. */
function source (versions: Map<string, { ts: number, jws: string }>): SyncSource & { stored: string[] } {
  const items: SyncItem[] = [...versions.entries()].map(([cid, v]) => ({ ts: v.ts, id: idOfCid(cid) }))
  const set = createSyncSet(items)
  const stored: string[] = []
  return {
    set,
    stored,
    async getJws (ids) { return ids.map(id => versions.get(cidOfId(id))?.jws) },
    async ingest (jws) {
      if (jws.startsWith('bad')) return 'invalid'
      const cid = versionCid(jws).toString()
      if (versions.has(cid)) return 'known'
      versions.set(cid, { ts: 0, jws })
      set.add({ ts: 0, id: idOfCid(cid) })
      stored.push(jws)
      return 'stored'
    }
  }
}

function versionsOf (count: number, seed: number): Map<string, { ts: number, jws: string }> {
  const random = seededRandom(seed)
  const out = new Map<string, { ts: number, jws: string }>()
  for (let i = 0; i < count; i++) {
    const jws = `version-${seed}-${i}-${randomBytes(8).toString('hex')}`
    out.set(versionCid(jws).toString(), { ts: 1_700_000_000_000 + Math.floor(random() * 1e9), jws })
  }
  return out
}

async function run (a: SyncSource, b: SyncSource): Promise<{ initiator: any, responder: any }> {
  const [outbound, inbound] = await streamPair()
  const [initiator, responder] = await Promise.all([initiateSync(outbound, a), respondSync(inbound, b)])
  return { initiator, responder }
}

describe('sync: range-based set reconciliation', () => {
  it('keeps range fingerprints in step with adds and removes', () => {
    const set = createSyncSet()
    const items = Array.from({ length: 100 }, (_, i) => ({ ts: i, id: new Uint8Array(randomBytes(32)) }))
    for (const item of items) set.add(item)
    const [s, e] = set.range({ ts: 10 }, { ts: 20 })
    assert.equal(e - s, 10)
    const before = set.fingerprint(0, set.size)
    set.remove(items[50])
    assert.notEqual(set.fingerprint(0, set.size), before)
    set.add(items[50])
    assert.equal(set.fingerprint(0, set.size), before)
    assert.equal(set.size, 100)
  })

  it('reconciles sets that differ by 1 in 10,000 with traffic in the kilobytes', async () => {
    const common = versionsOf(9_999, 1)
    const onlyB = versionsOf(1, 2)
    const a = source(new Map(common))
    const b = source(new Map([...common, ...onlyB]))
    const { initiator } = await run(a, b)
    assert.equal(initiator.need, 1)
    assert.equal(initiator.have, 0)
    assert.equal(initiator.fetched, 1)
    assert.deepEqual(a.stored, [...onlyB.values()].map(v => v.jws))
    const reconciliationBytes = initiator.bytesSent + initiator.bytesReceived
    assert.ok(reconciliationBytes < 16_000, `${reconciliationBytes} bytes for a difference of 1 in 10,000`)
    assert.ok(initiator.rounds <= 5, `${initiator.rounds} rounds`)
  })

  it('moves differences both ways, and an empty side catches up in few rounds', async () => {
    const common = versionsOf(3_000, 3)
    const a = source(new Map([...common, ...versionsOf(40, 4)]))
    const b = source(new Map([...common, ...versionsOf(25, 5)]))
    const { initiator } = await run(a, b)
    assert.equal(initiator.need, 25)
    assert.equal(initiator.have, 40)
    assert.equal(a.set.size, 3_065)
    assert.equal(b.set.size, 3_065)
    assert.equal(a.set.fingerprint(0, a.set.size), b.set.fingerprint(0, b.set.size))

    const empty = source(new Map())
    const { initiator: fresh } = await run(empty, b)
    assert.equal(fresh.fetched, 3_065)
    assert.ok(fresh.rounds <= 2)
  })

  it('fetches what it lacks in the order of the set, oldest first, not in the order of the ids', async () => {
    const versions = versionsOf(3_000, 6)
    const empty = source(new Map())
    await run(empty, source(new Map(versions)))
    const byTime = [...versions.values()].sort((x, y) => x.ts - y.ts).map(v => v.jws)
    assert.equal(empty.stored.length, byTime.length)
    assert.deepEqual(empty.stored, byTime)
  })

  it('gives each frame the simulated link\'s delay, in order, with frames read together arriving together', async () => {
    const common = versionsOf(2_000, 6)
    const a = source(new Map(common))
    const b = source(new Map([...common, ...versionsOf(600, 7)]))
    const [outbound, inbound] = await streamPair()
    const LATENCY = 200
    const frameDelayMs = (): number => LATENCY
    const [stats] = await Promise.all([initiateSync(outbound, a, { frameDelayMs }), respondSync(inbound, b, { frameDelayMs })])
    assert.equal(stats.fetched, 600)
    // each reconciliation round trip pays the latency both ways, and so does the transfer: its
    // three batches, asked for at once, cross together (one after another they would add 2 × 200 ms)
    const roundTrips = stats.rounds + 1
    assert.ok(stats.durationMs >= roundTrips * 2 * LATENCY * 0.95, `${stats.durationMs} ms for ${roundTrips} round trips`)
    assert.ok(stats.durationMs < roundTrips * 2 * LATENCY + LATENCY, `${stats.durationMs} ms for ${roundTrips} round trips: frames were delayed one after another`)
  })

  it('counts versions that fail verification', async () => {
    const bad = new Map([[versionCid('bad-1').toString(), { ts: 5, jws: 'bad-1' }]])
    const a = source(new Map())
    const { initiator } = await run(a, source(bad))
    assert.equal(initiator.invalid, 1)
    assert.equal(a.stored.length, 0)
  })

  it('refuses malformed and over-limit frames with named errors', () => {
    const id = new Uint8Array(randomBytes(32))
    assert.throws(() => decodeFrame(Uint8Array.of(9)), { name: 'SyncProtocolError' })
    assert.throws(() => decodeFrame(new TextEncoder().encode('{"t":"end"}')), { name: 'SyncProtocolError' })
    assert.throws(() => decodeFrame(Uint8Array.of(1, 1, 0, 5, 0)), { name: 'SyncProtocolError' }, 'a fingerprint cut short')
    assert.throws(() => decodeFrame(Uint8Array.of(1, 1, 1, 5, 40)), { name: 'SyncProtocolError' }, 'an id prefix over 32 bytes')
    assert.throws(() => decodeFrame(Uint8Array.of(1, 1, 8, 5, 0)), { name: 'SyncProtocolError' }, 'unknown header bits')
    assert.throws(() => decodeFrame(Uint8Array.of(1, 0xa0, 0x9c, 0x01)), { name: 'SyncLimitError' }, '20,000 ranges')
    assert.throws(() => decodeFrame(Uint8Array.of(2, 0xac, 0x02)), { name: 'SyncLimitError' }, 'want 300 ids')
    assert.throws(() => decodeFrame(Uint8Array.of(5, 0)), { name: 'SyncProtocolError' }, 'bytes after the end')
    assert.throws(() => decodeFrame(Uint8Array.of(3, 1, 2, 0xff, 0xfe)), { name: 'SyncProtocolError' }, 'a version that is not UTF-8')
    // a range that ends before it starts
    const backwards = encodeFrame({ t: 'rec', ranges: [{ l: { ts: 10, id }, u: { ts: 10, id: id.slice(0, 1) }, list: true }] })
    assert.throws(() => decodeFrame(backwards), { name: 'SyncProtocolError' })

    const frames: SyncFrame[] = [
      { t: 'want', ids: [id] },
      { t: 'items', items: ['a.b.c', 'ü'] },
      { t: 'ack', stored: 300, full: true },
      { t: 'end' },
      {
        t: 'rec',
        ranges: [
          { l: { ts: 0 }, u: { ts: 1_700_000_000_000, id: id.slice(0, 2) }, fp: Buffer.alloc(16, 7).toString('base64url') },
          { l: { ts: 1_700_000_000_000, id: id.slice(0, 2) }, u: { ts: 1_700_000_000_500 }, ids: [id] },
          { l: { ts: 1_700_000_000_900 }, u: { ts: Number.MAX_SAFE_INTEGER }, list: true },
          { l: { ts: Number.MAX_SAFE_INTEGER }, u: { ts: Number.MAX_SAFE_INTEGER }, ids: [], final: true }
        ]
      }
    ]
    for (const frame of frames) assert.deepEqual(decodeFrame(encodeFrame(frame)), frame)
  })

  it('settles a difference of 1 in 100,000 in 3 round trips and under 2 KB', async () => {
    const ids = Array.from({ length: 100_000 }, () => new Uint8Array(randomBytes(32)))
    // timestamps shared by runs of items, as when many credentials are issued in the same second
    const items = ids.map((id, i) => ({ ts: 1_750_000_000_000 + Math.floor(i / 7) * 1000, id }))
    const responderSet = createSyncSet(items)
    const initiatorSet = createSyncSet(items.filter((_, i) => i !== 61_803))
    const [outbound, inbound] = await streamPair()
    const none: Pick<SyncSource, 'getJws' | 'ingest'> = { async getJws (wanted) { return wanted.map(() => undefined) }, async ingest () { return 'known' } }
    const [stats] = await Promise.all([initiateSync(outbound, { set: initiatorSet, ...none }), respondSync(inbound, { set: responderSet, ...none })])
    assert.equal(stats.need, 1)
    assert.equal(stats.have, 0)
    assert.equal(stats.rounds, 3)
    const bytes = stats.bytesSent + stats.bytesReceived
    assert.ok(bytes <= 2048, `${bytes} bytes on the wire`)
  })
})
