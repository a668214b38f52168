import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { createCatalogueStore, type Database } from '../../../node/store/catalogue-store.ts'
import { tempDir } from '../../fixtures/node.ts'

describe('opening a store held by another handle', () => {
  it('waits for the lock, then opens with every sub-level usable', async () => {
    const dir = join(await tempDir(), 'store')
    const holder = new Level<string, any>(dir, { valueEncoding: 'json' })
    await holder.open()
    // the holder lets go once the store has found the store locked: the store must wait and try again
    const db = new Level<string, any>(dir, { valueEncoding: 'json' })
    const open = db.open.bind(db)
    let released: Promise<void> | undefined
    db.open = (async (...args: Parameters<typeof open>) => {
      try {
        return await open(...args)
      } catch (err) {
        released ??= holder.close()
        throw err
      }
    }) as typeof db.open
    const store = createCatalogueStore(db as unknown as Database)
    try {
      await store.open()
      assert.ok(released != null, 'the store found the lock held first')
      await released
      assert.deepEqual(store.counts, { entries: 0, revoked: 0, versions: 0 })
      for await (const revocation of store.revocations()) assert.fail(`no revocations yet, got ${revocation.entry}`)
      assert.equal(await store.getVersion('bafkreinothere'), undefined)
    } finally {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
