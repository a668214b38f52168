import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { streamPair } from '@libp2p/utils'
import { versionCid } from '../../../protocols/self-description/identity.ts'
import {
  createSyncSet, decodeFrame, encodeFrame, idOfCid, initiateSync, respondSync, cidOfId,
  type SyncItem, type SyncSource
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

  it('counts versions that fail verification', async () => {
    const bad = new Map([[versionCid('bad-1').toString(), { ts: 5, jws: 'bad-1' }]])
    const a = source(new Map())
    const { initiator } = await run(a, source(bad))
    assert.equal(initiator.invalid, 1)
    assert.equal(a.stored.length, 0)
  })

  it('refuses malformed and over-limit frames with named errors', () => {
    const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
    assert.throws(() => decodeFrame(enc({ t: 'nope' })), { name: 'SyncProtocolError' })
    assert.throws(() => decodeFrame(new TextEncoder().encode('{{')), { name: 'SyncProtocolError' })
    assert.throws(() => decodeFrame(enc({ t: 'rec', ranges: [{ l: [-1], u: [5], fp: 'x', n: 1 }] })), { name: 'SyncProtocolError' })
    assert.throws(() => decodeFrame(enc({ t: 'rec', ranges: [{ l: [0], u: [5], ids: ['short'] }] })), { name: 'SyncProtocolError' })
    assert.throws(() => decodeFrame(enc({ t: 'rec', ranges: Array.from({ length: 20_000 }, () => ({ l: [0], u: [1], fp: 'x', n: 0 })) })), { name: 'SyncLimitError' })
    assert.throws(() => decodeFrame(enc({ t: 'want', ids: Array.from({ length: 300 }, () => Buffer.alloc(32).toString('base64url')) })), { name: 'SyncLimitError' })
    const frame = { t: 'want' as const, ids: [new Uint8Array(randomBytes(32))] }
    assert.deepEqual(decodeFrame(encodeFrame(frame)), frame)
  })
})
