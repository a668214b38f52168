import assert from 'node:assert/strict'
import { open, readdir, rm, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createCatalogueNode } from '../../../node/catalogue-node.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { generateIssuerKey, signCredential } from '../../../protocols/self-description/index.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { startCliNode } from '../../fixtures/cli-node.ts'
import { gxcat } from '../../fixtures/cli.ts'
import { get, post, tempDir } from '../../fixtures/node.ts'

const ENTRIES = 1080

/** A data directory whose store acknowledged every credential, written in many batches. */
async function filledDataDir (credentials: string[]): Promise<{ dir: string, cids: string[] }> {
  const dir = join(await tempDir(), 'data')
  const init = await gxcat(['init', '--data', dir])
  assert.equal(init.code, 0, init.stderr)
  const node = createCatalogueNode({ dataDir: dir, sparql: false })
  await node.start()
  const cids: string[] = []
  for (let i = 0; i < credentials.length; i += 40) {
    const outcomes = await Promise.all(credentials.slice(i, i + 40).map(async jws => node.publish(jws)))
    for (const outcome of outcomes) cids.push(outcome.cid)
  }
  await node.stop()
  return { dir, cids }
}

async function newestLog (dir: string): Promise<string> {
  const logs = (await readdir(join(dir, 'store'))).filter(name => name.endsWith('.log')).sort()
  return join(dir, 'store', logs[logs.length - 1])
}

async function openingFails (dir: string): Promise<Error> {
  const node = createCatalogueNode({ dataDir: dir, sparql: false })
  const err = await node.start().then(() => undefined, (e: Error) => e)
  if (err == null) await node.stop()
  assert.ok(err != null, 'the damaged store opened as if nothing were missing')
  return err
}

async function missingOf (dir: string, cids: string[]): Promise<string[]> {
  const node = createCatalogueNode({ dataDir: dir, sparql: false })
  await node.start()
  try {
    const records = await node.store.getVersions(cids)
    return cids.filter((_, i) => records[i] == null)
  } finally {
    await node.stop()
  }
}

describe('store integrity', function () {
  this.timeout(180_000)
  let credentials: string[]
  const dirs: string[] = []

  before(async () => {
    credentials = await generateJws(ENTRIES, { seed: 314 })
  })

  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('a truncated log → StoreCorruptionError; gxcat repair restores every acknowledged entry from a peer', async () => {
    const { dir, cids } = await filledDataDir(credentials)
    dirs.push(dir)
    const peerDir = join(await tempDir(), 'peer')
    dirs.push(peerDir)
    const peer = await startCliNode(peerDir, ['--listen', '/ip4/127.0.0.1/tcp/0'])
    try {
      for (let i = 0; i < credentials.length; i += 60) {
        const results = await Promise.all(credentials.slice(i, i + 60).map(async jws => post(`${peer.url}/v1/self-descriptions`, jws)))
        for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body))
      }
      const log = await newestLog(dir)
      const handle = await open(log, 'r+')
      await handle.truncate(Math.floor((await stat(log)).size / 2))
      await handle.close()

      const err = await openingFails(dir)
      assert.equal(err.name, 'StoreCorruptionError', err.message)
      assert.match(err.message, /acknowledged batches are lost/)
      assert.match(err.message, /gxcat repair/)

      const peerAddr = (await get(`${peer.url}/v1/status`)).body.addrs.find((a: string) => a.startsWith('/ip4/127.0.0.1/'))
      const repair = await gxcat(['repair', '--data', dir, '--peer', peerAddr], { timeoutMs: 120_000 })
      assert.equal(repair.code, 0, repair.stderr)
      const summary = JSON.parse(repair.stdout)
      assert.ok(summary.local.entries < ENTRIES, 'the truncation lost entries locally')
      assert.equal(summary.fetched.entries, ENTRIES, repair.stderr)
      assert.equal(summary.local.entries + summary.fetched.fetched, ENTRIES, repair.stderr)
      assert.deepEqual(await missingOf(dir, cids), [])
    } finally {
      await peer.stop()
    }
  })

  it('a bit flip in the log → StoreCorruptionError', async () => {
    const { dir } = await filledDataDir(credentials.slice(0, 400))
    dirs.push(dir)
    const log = await newestLog(dir)
    const handle = await open(log, 'r+')
    const size = (await stat(log)).size
    const at = Math.floor(size / 3)
    const byte = Buffer.alloc(1)
    await handle.read(byte, 0, 1, at)
    byte[0] ^= 0x10
    await handle.write(byte, 0, 1, at)
    await handle.close()
    const err = await openingFails(dir)
    assert.equal(err.name, 'StoreCorruptionError', err.message)
  })

  it('a deleted CURRENT file → StoreCorruptionError; gxcat repair --offline rebuilds every entry locally', async () => {
    const { dir, cids } = await filledDataDir(credentials.slice(0, 400))
    dirs.push(dir)
    // a second open flushes the log into tables, which a lost CURRENT file would orphan
    assert.deepEqual(await missingOf(dir, cids), [])
    await unlink(join(dir, 'store', 'CURRENT'))
    const err = await openingFails(dir)
    assert.equal(err.name, 'StoreCorruptionError', err.message)
    assert.match(err.message, /CURRENT/)
    const repair = await gxcat(['repair', '--data', dir, '--offline'], { timeoutMs: 120_000 })
    assert.equal(repair.code, 0, repair.stderr)
    assert.equal(JSON.parse(repair.stdout).local.entries, 400)
    assert.deepEqual(await missingOf(dir, cids), [])
  })

  it('a store deleted under a node that acknowledged writes is reported, not silently re-created', async () => {
    const { dir } = await filledDataDir(credentials.slice(0, 50))
    dirs.push(dir)
    await rm(join(dir, 'store'), { recursive: true })
    const err = await openingFails(dir)
    assert.equal(err.name, 'StoreCorruptionError', err.message)
    assert.match(err.message, /missing/)
  })

  it('keeps the newest versions of an entry and prunes older ones, across restarts', async () => {
    const dir = join(await tempDir(), 'data')
    dirs.push(dir)
    const node = createCatalogueNode({ dataDir: dir, sparql: false, keepVersions: 3 })
    await node.start()
    const key = generateIssuerKey()
    const version = async (day: number): Promise<string> => signCredential({ ...serviceOffering(), 'schema:name': `version ${day}` }, key, { validFrom: `2026-01-0${day}T00:00:00Z` })
    const cids: string[] = []
    for (let day = 1; day <= 5; day++) {
      const jws = await version(day)
      cids.push((await node.publish(jws)).cid)
    }
    const kept = await node.store.getVersions(cids)
    assert.deepEqual(kept.map(v => v?.status), [undefined, undefined, 'superseded', 'superseded', 'active'])
    assert.equal(node.counts().versions, 3)
    await node.stop()
    // the counts written with each batch agree with what is left: the store opens
    const again = createCatalogueNode({ dataDir: dir, sparql: false, keepVersions: 3 })
    await again.start()
    assert.equal(again.counts().versions, 3)
    // a pruned version offered again is older than the head: stale, not stored
    assert.equal((await again.publish(await version(1))).status, 'stale')
    await again.stop()
  })
})
