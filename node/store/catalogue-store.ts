/**
 * The durable replica: level with sub-levels for versions (by CID), heads (current version
 * per entry, with the terms it is indexed under), status of superseded/revoked versions,
 * revocations, the history of versions by seq, and metadata. The current heads' posting lists
 * (by type, issuer, word, property value) live in memory (postings.ts): a version costs its
 * batch three writes, not some twenty. They are written to a file as the store closes and read
 * back at the next open if the store is still in that state; otherwise they are rebuilt from
 * the heads' terms. Every accepted version or revocation is one atomic batch (group-committed with
 * its neighbours), acknowledged only after the batch is written; a failed write fails the
 * store, which then refuses writes until it is reopened, so memory and disk never diverge.
 * Each batch also records what the store holds (counts and a batch number), and a mark outside
 * LevelDB records the newest batch acknowledged: at open, a store that lost a batch, in the
 * middle of its log or at its end, refuses to open with `StoreCorruptionError`.
 * An entry keeps its head and the newest superseded versions (`keepVersions`); older ones are
 * pruned in the batch that supersedes them (sync moves heads and revocations only). Opening: store-open.ts.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { compareVersions, type Revocation, type VerifiedCredential } from '../../protocols/self-description/index.ts'
import { KEEP_VERSIONS, MAX_WRITE_BATCH } from '../constants.ts'
import { StoreCorruptionError, StoreError } from '../errors.ts'
import { createChains } from './chains.ts'
import { serializeHeads } from './heads-snapshot.ts'
import { dropStoredPostings, isCorruption, lostBatches, openWaitingForLock, verifiedHeadsSnapshot } from './store-open.ts'
import { createPostings } from './postings.ts'
import type { StoreState } from './store-mark.ts'
import { firstFieldsOf, guard, inBatches } from './level-reading.ts'
import { createFacetCounts, KEYWORD_PROPERTY } from './facet-counts.ts'
import { createHeadQueries } from './head-queries.ts'
import { readSnapshot as readSnapshotFile, writeSnapshot, type SnapshotHeader } from './snapshot-file.ts'
import type { AcceptOutcome, CatalogueStore, CatalogueStoreInit, Database, RevokeOutcome } from './store-api.ts'
import type { IndexTerms } from '../query/index-terms.ts'
import { createWriteQueue } from './write-queue.ts'
import {
  credentialOfVersionText, decodeSeq, termsOfHead, indexKey, indexPrefix, versionEncoding, versionRecordOf, type HeadRecord, type HeadTerms, type MemoryHead, type RevocationRecord, type VersionRecord, type VersionStatus
} from './records.ts'

import type { Sub } from './store-open.ts'

export type { CatalogueStore, CatalogueStoreInit, Database, MemoryHead } from './store-api.ts'

type Work = { kind: 'version', verified: VerifiedCredential, terms: IndexTerms } | { kind: 'revocation', revocation: Revocation }

type BatchOp = { type: 'put', key: string, value: unknown, sublevel: Sub } | { type: 'del', key: string, sublevel: Sub }

export function createCatalogueStore (db: Database, init: CatalogueStoreInit = {}): CatalogueStore {
  const keepVersions = Math.max(1, init.keepVersions ?? KEEP_VERSIONS)
  const versions = db.sublevel<string, VersionRecord>('versions', { valueEncoding: versionEncoding }) as unknown as Sub
  const heads = db.sublevel<string, HeadRecord>('heads', { valueEncoding: 'json' }) as unknown as Sub
  const statuses = db.sublevel<string, string>('status', { valueEncoding: 'utf8' }) as unknown as Sub
  const revocationsDb = db.sublevel<string, RevocationRecord>('revocations', { valueEncoding: 'json' }) as unknown as Sub
  const index = db.sublevel<string, string>('index', { valueEncoding: 'utf8' }) as unknown as Sub
  const meta = db.sublevel<string, any>('meta', { valueEncoding: 'json' }) as unknown as Sub
  const chainsDb = db.sublevel<string, string>('chains', { valueEncoding: 'utf8' }) as unknown as Sub
  const chains = createChains(chainsDb)

  const damaged = (what: string): StoreCorruptionError => new StoreCorruptionError(`the store ${init.location ?? ''} is damaged: ${what}; run gxcat repair on its data directory`)
  const memoryHeads = new Map<string, MemoryHead>()
  /** the current heads' posting lists (kinds a, i, t, w, p); the history (h) is on disk */
  const postings = createPostings()
  /** set while the posting lists are built after open */
  let postingsBuilt: Promise<void> | undefined
  /** current heads by seq: what a posting (which carries no CID) points at */
  const headCids = new Map<number, string>()
  const facetCounts = createFacetCounts()
  const revoked = new Set<string>()
  let seq = 0
  let batches = 0
  let versionCount = 0
  /** entries that have a head and are revoked: entries = heads − these */
  let revokedHeads = 0
  let failure: Error | undefined

  async function commit (items: Work[]): Promise<Array<AcceptOutcome | RevokeOutcome>> {
    await postingsBuilt
    if (failure != null) throw new StoreError(`the store failed earlier and refuses writes until the node restarts: ${failure.message}`)
    const ops: BatchOp[] = []
    /** chains this batch writes */
    const batchChains = new Set<string>()
    const batchHeads = new Map<string, MemoryHead | undefined>()
    const batchRevoked = new Set<string>()
    const headOf = (entry: string): MemoryHead | undefined => batchHeads.has(entry) ? batchHeads.get(entry) : memoryHeads.get(entry)
    const isRevoked = (entry: string): boolean => revoked.has(entry) || batchRevoked.has(entry)
    let nextSeq = seq
    let addedVersions = 0
    let prunedVersions = 0
    const postingsAdded: Array<[number, HeadTerms]> = []
    const postingsRemoved: Array<[number, HeadTerms]> = []
    const unpost = (entry: string): void => {
      const head = storedHeads.get(entry)
      if (head == null) return
      const terms = termsOfHead(head)
      if (terms != null) postingsRemoved.push([head.seq, terms])
    }
    let addedRevokedHeads = 0

    // index keys of heads replaced in this batch: read them first, in one go
    const touched = [...new Set(items.map(w => w.kind === 'version' ? w.verified.entry : w.revocation.entry))].filter(e => memoryHeads.has(e))
    const storedHeads = new Map<string, HeadRecord>()
    const loaded = await heads.getMany(touched)
    touched.forEach((entry, i) => { if (loaded[i] != null) storedHeads.set(entry, loaded[i]) })

    const results: Array<AcceptOutcome | RevokeOutcome> = []
    const now = new Date().toISOString()
    for (const work of items) {
      if (work.kind === 'version') {
        const { verified, terms } = work
        const { entry, cid } = verified
        const head = headOf(entry)
        if (isRevoked(entry)) { results.push({ status: 'revoked', cid, entry }); continue }
        if (head?.cid === cid) { results.push({ status: 'duplicate', cid, entry }); continue }
        if (head != null && compareVersions(verified, head) < 0) { results.push({ status: 'stale', cid, entry }); continue }
        const s = ++nextSeq
        const { record, chain } = versionRecordOf(verified, now, s)
        if (chain != null) {
          const { ref, text } = chains.refOf(chain)
          record.chainRef = ref
          if (!chains.has(ref) && !batchChains.has(ref)) ops.push({ type: 'put', key: ref, value: text, sublevel: chainsDb })
          batchChains.add(ref)
        }
        ops.push({ type: 'put', key: cid, value: record, sublevel: versions })
        ops.push({ type: 'put', key: indexKey(indexPrefix('h'), s), value: cid, sublevel: index })
        let older: HeadRecord['older'] = []
        if (head != null) {
          ops.push({ type: 'put', key: head.cid, value: 'superseded', sublevel: statuses })
          unpost(entry)
          older = [{ cid: head.cid, seq: head.seq }, ...(storedHeads.get(entry)?.older ?? [])]
          // in order: a version pruned as soon as it is superseded (keepVersions 1) ends deleted
          for (const pruned of older.splice(keepVersions - 1)) {
            ops.push({ type: 'del', key: pruned.cid, sublevel: versions })
            ops.push({ type: 'del', key: pruned.cid, sublevel: statuses })
            ops.push({ type: 'del', key: indexKey(indexPrefix('h'), pruned.seq), sublevel: index })
            prunedVersions++
          }
        }
        const headTerms = { issuer: verified.issuer, types: terms.types, tokens: terms.tokens, properties: terms.properties }
        postingsAdded.push([s, headTerms])
        const headRecord: HeadRecord = { cid, validFrom: verified.validFrom, seq: s, terms: headTerms, older }
        ops.push({ type: 'put', key: entry, value: headRecord, sublevel: heads })
        storedHeads.set(entry, headRecord)
        batchHeads.set(entry, { cid, validFrom: verified.validFrom, seq: s })
        addedVersions++
        results.push({ status: 'active', cid, entry, supersedes: head?.cid })
      } else {
        const { revocation } = work
        const { entry } = revocation
        if (isRevoked(entry)) { results.push({ status: 'duplicate', entry, cid: revocation.cid }); continue }
        const record: RevocationRecord = { ...revocation, receivedAt: now }
        ops.push({ type: 'put', key: entry, value: record, sublevel: revocationsDb })
        const head = headOf(entry)
        if (head != null) {
          addedRevokedHeads++
          ops.push({ type: 'put', key: head.cid, value: 'revoked', sublevel: statuses })
          unpost(entry)
          const { indexKeys: _keys, terms: _terms, ...kept } = storedHeads.get(entry) as HeadRecord
          const headRecord: HeadRecord = kept
          ops.push({ type: 'put', key: entry, value: headRecord, sublevel: heads })
          storedHeads.set(entry, headRecord)
        }
        batchRevoked.add(entry)
        results.push({ status: 'revoked', entry, cid: revocation.cid, revokedVersion: head?.cid })
      }
    }
    if (ops.length === 0) return results
    const newHeads = [...batchHeads.keys()].filter(entry => !memoryHeads.has(entry)).length
    const state: StoreState = {
      batches: batches + 1,
      versions: versionCount + addedVersions - prunedVersions,
      heads: memoryHeads.size + newHeads,
      revocations: revoked.size + batchRevoked.size
    }
    ops.push({ type: 'put', key: 'seq', value: nextSeq, sublevel: meta })
    ops.push({ type: 'put', key: 'state', value: state, sublevel: meta })
    try {
      await db.batch(ops as any)
    } catch (err: any) {
      failure = err
      throw new StoreError(`writing to the store failed (${err.code ?? err.message}); nothing of this batch was written`)
    }
    seq = nextSeq
    chains.written(batchChains)
    batches = state.batches
    versionCount = state.versions
    revokedHeads += addedRevokedHeads
    for (const [entry, head] of batchHeads) {
      if (head == null) continue
      const replaced = memoryHeads.get(entry)
      if (replaced != null) headCids.delete(replaced.seq)
      memoryHeads.set(entry, head)
      headCids.set(head.seq, head.cid)
    }
    for (const entry of batchRevoked) revoked.add(entry)
    // added first: a head added and replaced in the same batch nets out
    for (const [seq, terms] of postingsAdded) {
      postings.add(seq, terms)
      facetCounts.count(terms, 1)
    }
    for (const [seq, terms] of postingsRemoved) {
      postings.remove(seq, terms)
      facetCounts.count(terms, -1)
    }
    try {
      init.mark?.write(state)
    } catch {
      // a mark that lags behind the store is safe (it claims less than is there); the batch stands
    }
    return results
  }

  async function guardedCommit (items: Work[]): Promise<Array<AcceptOutcome | RevokeOutcome>> {
    try {
      return await commit(items)
    } catch (err: any) {
      if (err.name === 'StoreError') throw err
      throw new StoreError(`the store cannot be written: ${err.code ?? err.message}`)
    }
  }

  const queue = createWriteQueue<Work, AcceptOutcome | RevokeOutcome>(guardedCommit, MAX_WRITE_BATCH)

  async function withStatus (record: VersionRecord | undefined): Promise<(VersionRecord & { status: VersionStatus }) | undefined> {
    if (record == null) return undefined
    const [[withChain], stored] = await Promise.all([chains.resolve([record]), statuses.get(record.cid)])
    return { ...withChain, status: statusOf(record, stored) }
  }

  function statusOf (record: Pick<VersionRecord, 'entry' | 'validUntil'>, stored: VersionStatus | undefined): VersionStatus {
    if (stored != null) return stored
    if (revoked.has(record.entry)) return 'revoked'
    if (record.validUntil != null && Date.parse(record.validUntil) < Date.now()) return 'expired'
    return 'active'
  }

  /** The posting lists and the heads as the store closes, with the state they belong to (each a temp file, then renamed). */
  async function writeSnapshots (): Promise<void> {
    await postingsBuilt
    const header: SnapshotHeader = { state: { batches, versions: versionCount, heads: memoryHeads.size, revocations: revoked.size }, seq }
    for (const [file, body] of [[init.headsFile, () => serializeHeads(memoryHeads)], [init.postingsFile, () => postings.serialize()]] as const) {
      if (file != null) await writeSnapshot(file, header, body)
    }
  }

  /** A snapshot (posting lists, heads) written as the store last closed, if it belongs to the state it opens in. */
  async function readSnapshot (file: string | undefined, recorded: StoreState | undefined): Promise<string | undefined> {
    return file == null || recorded == null ? undefined : await readSnapshotFile(file, { state: recorded, seq })
  }

  const historyCid = guard(async (seq: number): Promise<string | undefined> => index.get(indexKey(indexPrefix('h'), seq)))

  return {
    async open () {
      const marked = init.mark?.read()
      if (marked != null && marked.batches > 0 && init.location != null && !existsSync(join(init.location, 'CURRENT'))) {
        throw new StoreCorruptionError(`the store ${init.location} is missing or lost its CURRENT file, but it acknowledged ${marked.versions} versions of ${marked.heads} entries: run gxcat repair on its data directory`)
      }
      await openWaitingForLock(db, [versions, heads, statuses, revocationsDb, index, meta, chainsDb], damaged)
      let recorded: StoreState | undefined
      /** the posting lists as the store last closed, where they match what it holds */
      let snapshot: string | undefined
      /** otherwise the heads' terms, to rebuild the lists from */
      const posted: Array<{ seq: number, terms: HeadTerms }> = []
      try {
        seq = (await meta.get('seq')) ?? 0
        recorded = await meta.get('state')
        snapshot = await readSnapshot(init.postingsFile, recorded)
        // the heads as written with the lists: their count is the recorded one, so a batch lost in
        // the middle of the log shows in the counts of versions and revocations read below
        const headsSnapshot = snapshot != null ? await verifiedHeadsSnapshot(await readSnapshot(init.headsFile, recorded), recorded, heads) : undefined
        for (const [entry, head] of headsSnapshot ?? []) {
          memoryHeads.set(entry, head)
          headCids.set(head.seq, head.cid)
        }
        if (headsSnapshot == null) {
          await inBatches<[string, string]>(heads.iterator({ valueEncoding: 'utf8' }), ([entry, text]) => {
            // with the lists as they were written, a head's terms are not needed (the facets are
            // the lists' sizes, set after the scan): its first fields are read, not the rest
            const head: HeadRecord = (snapshot != null ? firstFieldsOf(text) : undefined) ?? JSON.parse(text)
            memoryHeads.set(entry, { cid: head.cid, validFrom: head.validFrom, seq: head.seq })
            headCids.set(head.seq, head.cid)
            if (snapshot != null) return
            const terms = termsOfHead(head)
            if (terms == null) return
            facetCounts.count(terms, 1)
            posted.push({ seq: head.seq, terms })
          })
        }
        if (await meta.get('postings') !== 'memory') await dropStoredPostings(db, index, meta)
        await inBatches<string>(revocationsDb.keys(), entry => { revoked.add(entry) })
        versionCount = 0
        await inBatches<string>(index.keys({ gt: indexPrefix('h'), lt: indexPrefix('h') + '\uffff' }), () => { versionCount++ })
      } catch (err: any) {
        await db.close().catch(() => {})
        if (isCorruption(err)) throw damaged(err.cause?.message ?? err.message)
        throw new StoreError(`cannot read the store: ${err.code ?? err.message}`)
      }
      revokedHeads = [...revoked].filter(entry => memoryHeads.has(entry)).length
      batches = recorded?.batches ?? 0
      const problem = lostBatches({ batches, versions: versionCount, heads: memoryHeads.size, revocations: revoked.size }, recorded, marked)
      if (problem != null) {
        await db.close().catch(() => {})
        throw damaged(problem)
      }
      if (snapshot != null) {
        postings.restore(snapshot)
        // each head is once in each list of its terms, and a facet counts heads
        facetCounts.restore({ issuer: postings.sizes('i'), type: postings.sizes('t'), keyword: postings.sizes('p', KEYWORD_PROPERTY) })
      } else {
        // built while the node already serves: filters and writes wait for it, reads by CID do not
        postingsBuilt = postings.load(posted).finally(() => { postingsBuilt = undefined })
      }
    },
    async close () {
      await queue.idle()
      init.mark?.close()
      if (db.status === 'open' && failure == null) await writeSnapshots()
      await db.close()
    },
    async addVersion (verified, terms) {
      return queue.submit({ kind: 'version', verified, terms }) as Promise<AcceptOutcome>
    },
    async addRevocation (revocation) {
      return queue.submit({ kind: 'revocation', revocation }) as Promise<RevokeOutcome>
    },
    setListStatus: guard(async (cid: string, status: 'active' | 'revoked' | 'suspended') => {
      if (status === 'active') await statuses.del(cid)
      else await statuses.put(cid, status)
    }),
    getVersion: guard(async (cid: string) => withStatus(await versions.get(cid))),
    getVersions: guard(async (cids: string[]) => {
      const [records, stored] = await Promise.all([versions.getMany(cids).then(chains.resolve), statuses.getMany(cids)])
      return records.map((record: VersionRecord | undefined, i: number) => record == null ? undefined : { ...record, status: statusOf(record, stored[i]) })
    }),
    activeCredentials: guard(async (cids: string[]) => {
      const [texts, stored] = await Promise.all([versions.getMany(cids, { valueEncoding: 'utf8' }), statuses.getMany(cids)])
      const active: Array<{ cid: string, credential: Record<string, unknown> }> = []
      texts.forEach((text: string | undefined, i: number) => {
        if (text == null) return
        const { credential, ...record } = credentialOfVersionText(text)
        if (statusOf(record, stored[i]) === 'active') active.push({ cid: cids[i], credential })
      })
      return active
    }),
    getHead (entry) {
      return memoryHeads.get(entry)
    },
    heads () {
      return memoryHeads.entries()
    },
    getRevocation: guard(async (entry: string) => revocationsDb.get(entry) as Promise<RevocationRecord | undefined>),
    isRevoked (entry) {
      return revoked.has(entry)
    },
    async * scan (prefix, afterSeq, limit) {
      if (!prefix.startsWith('h')) {
        // answered from memory, but never by a store whose database has gone
        if (db.status !== 'open') throw new StoreError(`the store cannot be read: it is ${db.status}`)
        await postings.loaded(prefix)
        for (const seq of postings.after(prefix, afterSeq, limit)) {
          // a head replaced since the list was read: its CID is in history
          const cid = headCids.get(seq) ?? await historyCid(seq)
          if (cid != null) yield { seq, cid }
        }
        return
      }
      const gt = afterSeq > 0 ? indexKey(prefix, afterSeq) : prefix
      try {
        for await (const [key, stored] of index.iterator({ gt, lt: prefix + '\uffff', limit })) {
          const seq = decodeSeq(key.slice(prefix.length))
          // a posting read from the iterator's snapshot may point at a head replaced since: its CID is in history
          const cid = stored !== '' ? stored : headCids.get(seq) ?? await historyCid(seq)
          if (cid != null) yield { seq, cid }
        }
      } catch (err: any) {
        throw new StoreError(`the store cannot be read: ${err.code ?? err.message}`)
      }
    },
    history: guard(async (entry: string) => {
      const head: HeadRecord | undefined = await heads.get(entry)
      return head == null ? [] : [head.cid, ...(head.older ?? []).map(o => o.cid)]
    }),
    hasPostings: guard(async (prefix: string, seqs: number[]) => {
      if (prefix.startsWith('h')) return (await index.getMany(seqs.map(s => indexKey(prefix, s)))).map(v => v != null)
      await postings.loaded(prefix)
      return seqs.map(seq => postings.has(prefix, seq))
    }),
    async * revocations () {
      for await (const record of revocationsDb.values()) yield record
    },
    facets (kind, limit) {
      return facetCounts.top(kind, limit)
    },
    ...createHeadQueries(postings, headCids),
    async idle () {
      await queue.idle()
    },
    get counts () {
      return { entries: memoryHeads.size - revokedHeads, revoked: revoked.size, versions: versionCount }
    }
  }
}
