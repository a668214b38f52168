/**
 * Rebuilds a damaged store from what is left of it: LevelDB's own repair salvages every
 * readable table and log record, then each version and revocation whose bytes still hash to
 * their CID is written again, in the order they were first accepted, into a new store that
 * replaces the damaged one (kept beside it). What could not be salvaged is fetched from peers
 * afterwards by sync (`gxcat repair` does both).
 */
import { existsSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { payloadOfVerifiedJws, versionCidText, type Credential, type VerifiedCredential } from '../../protocols/self-description/index.ts'
import { HEADS_FILE, POSTINGS_FILE, STORE_MARK_FILE } from '../constants.ts'
import { indexTerms } from '../query/index-terms.ts'
import { createCatalogueStore, type Database } from './catalogue-store.ts'
import { createChains } from './chains.ts'
import { createFileMark } from './store-mark.ts'
import { versionEncoding, type RevocationRecord, type VersionRecord } from './records.ts'

export interface RepairProgress {
  phase: 'salvage' | 'versions' | 'revocations'
  done: number
  total: number
}

export interface RepairReport {
  /** versions and revocations written into the new store */
  versions: number
  revocations: number
  /** entries with a current version */
  entries: number
  /** records whose bytes no longer matched their CID, left out */
  damaged: number
  /** where the damaged store was moved, if there was one */
  movedTo?: string
}

export interface RepairOptions {
  keepVersions?: number
  onProgress?: (progress: RepairProgress) => void
}

const READ_CHUNK = 1000

export async function repairStore (dataDir: string, options: RepairOptions = {}): Promise<RepairReport> {
  const location = join(dataDir, 'store')
  const rebuilt = join(dataDir, 'store.repair')
  const markPath = join(dataDir, STORE_MARK_FILE)
  const report: RepairReport = { versions: 0, revocations: 0, entries: 0, damaged: 0 }
  // the posting lists and heads written as the damaged store closed describe it, not what is rebuilt
  await rm(join(dataDir, POSTINGS_FILE), { force: true })
  await rm(join(dataDir, HEADS_FILE), { force: true })
  await rm(rebuilt, { recursive: true, force: true })
  await rm(`${markPath}.repair`, { force: true })
  const fresh = new ClassicLevel<string, any>(rebuilt, { valueEncoding: 'json' }) as unknown as Database
  const store = createCatalogueStore(fresh, { location: rebuilt, mark: createFileMark(`${markPath}.repair`), keepVersions: options.keepVersions })
  await store.open()

  if (existsSync(location)) {
    options.onProgress?.({ phase: 'salvage', done: 0, total: 1 })
    await ClassicLevel.repair(location)
    options.onProgress?.({ phase: 'salvage', done: 1, total: 1 })
    const old = new ClassicLevel<string, any>(location, { valueEncoding: 'json' })
    await old.open()
    try {
      const versions = old.sublevel<string, VersionRecord>('versions', { valueEncoding: versionEncoding })
      // a chain kept once for its versions goes back into each of them; the rebuilt store keeps it once again
      const chains = createChains(old.sublevel<string, string>('chains', { valueEncoding: 'utf8' }))
      const order: Array<{ seq: number, cid: string }> = []
      for await (const [cid, record] of versions.iterator()) order.push({ seq: record.seq, cid })
      order.sort((a, b) => a.seq - b.seq)
      for (let i = 0; i < order.length; i += READ_CHUNK) {
        const cids = order.slice(i, i + READ_CHUNK).map(o => o.cid)
        const records = await chains.resolve(await versions.getMany(cids))
        await Promise.all(records.map(async (record, j) => {
          if (record == null || !matches(record.jws, cids[j])) { report.damaged++; return }
          const { receivedAt: _r, seq: _s, ...fields } = record
          const verified: VerifiedCredential = { ...fields, credential: payloadOfVerifiedJws(record.jws) as Credential }
          await store.addVersion(verified, indexTerms(verified))
        }))
        options.onProgress?.({ phase: 'versions', done: Math.min(i + READ_CHUNK, order.length), total: order.length })
      }
      const statuses = old.sublevel<string, string>('status', { valueEncoding: 'utf8' })
      for await (const [cid, status] of statuses.iterator()) {
        if (status === 'suspended' && (await store.getVersion(cid)) != null) await store.setListStatus(cid, 'suspended')
      }
      const revocations = old.sublevel<string, RevocationRecord>('revocations', { valueEncoding: 'json' })
      const all: RevocationRecord[] = []
      for await (const record of revocations.values()) all.push(record)
      for (const [i, record] of all.entries()) {
        if (!matches(record.jws, record.cid)) { report.damaged++; continue }
        const { receivedAt: _r, ...revocation } = record
        await store.addRevocation(revocation)
        options.onProgress?.({ phase: 'revocations', done: i + 1, total: all.length })
      }
    } finally {
      await old.close()
    }
  }
  await store.idle()
  report.versions = store.counts.versions
  report.revocations = store.counts.revoked
  report.entries = store.counts.entries
  await store.close()

  if (existsSync(location)) {
    report.movedTo = `${location}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
    await rename(location, report.movedTo)
  }
  await rename(rebuilt, location)
  if (existsSync(`${markPath}.repair`)) await rename(`${markPath}.repair`, markPath)
  else await rm(markPath, { force: true })
  return report
}

function matches (jws: unknown, cid: string): boolean {
  try {
    return typeof jws === 'string' && versionCidText(jws) === cid
  } catch {
    return false
  }
}
