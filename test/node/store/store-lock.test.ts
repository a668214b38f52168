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
    const released = new Promise<void>(resolve => setTimeout(() => { void holder.close().then(resolve) }, 500))
    const store = createCatalogueStore(new Level<string, any>(dir, { valueEncoding: 'json' }) as unknown as Database)
    try {
      await store.open()
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
