import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { createCatalogueNode, type CatalogueNode } from '../../../node/catalogue-node.ts'
import { credentialOfVersionText, headIndexKeys, versionEncoding, type HeadRecord, type VersionRecord } from '../../../node/store/records.ts'
import { generateIssuerKey, signCredential, signRevocation } from '../../../protocols/self-description/index.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { tempDir } from '../../fixtures/node.ts'

const key = generateIssuerKey()
const subject = (n: number): string => `https://provider.example/services/${n}`
const offering = async (n: number, name: string, day = 1): Promise<string> =>
  signCredential({ ...serviceOffering(subject(n)), 'schema:name': name }, key, { validFrom: `2026-01-0${day}T00:00:00Z` })

/** What a node's filters and facets answer, in a form to compare. */
async function answers (node: CatalogueNode): Promise<unknown> {
  const cids = async (filter: Parameters<CatalogueNode['list']>[0]): Promise<string[]> => (await node.list(filter)).items.map(i => i.cid).sort()
  return {
    all: await cids({ limit: 50 }),
    type: await cids({ type: 'gx:ServiceOffering', limit: 50 }),
    words: await cids({ q: 'lighthouse', limit: 50 }),
    where: await cids({ where: [['gx:keyword', 'storage']], limit: 50 }),
    facets: await node.facets(10),
    facetsWithin: await node.facets(10, { q: 'lighthouse', type: 'gx:ServiceOffering' })
  }
}

/** Each entry's head as the node gives it: its CID, validFrom and status. */
async function headsOf (node: CatalogueNode): Promise<unknown> {
  return Promise.all([1, 2, 3, 4].map(async n => {
    const head = await node.getEntry(key.kid.split('#')[0], subject(n))
    return { cid: head.cid, validFrom: head.validFrom, status: head.status }
  }))
}

/** Runs `fn` on a node started on `dir` (filters only), stopped after. */
function runner (dir: string): (fn: (node: CatalogueNode) => Promise<unknown>) => Promise<unknown> {
  return async fn => {
    const node = createCatalogueNode({ dataDir: dir, sparql: false })
    await node.start()
    try {
      return await fn(node)
    } finally {
      await node.stop()
    }
  }
}

async function storedPostings (dir: string): Promise<Array<[string, string]>> {
  const db = new ClassicLevel<string, string>(join(dir, 'store'))
  try {
    return await db.sublevel<string, string>('index', { valueEncoding: 'utf8' }).iterator().all()
  } finally {
    await db.close()
  }
}

/** Rewrites a store as gxcat wrote it before postings lost their CID: CIDs in postings, full index keys in heads. */
async function rewriteAsOldFormat (dir: string): Promise<void> {
  const db = new ClassicLevel<string, string>(join(dir, 'store'))
  const heads = db.sublevel<string, HeadRecord>('heads', { valueEncoding: 'json' })
  const index = db.sublevel<string, string>('index', { valueEncoding: 'utf8' })
  for await (const [entry, head] of heads.iterator()) {
    const keys = headIndexKeys(head)
    const { terms: _terms, ...old } = head
    await heads.put(entry, { ...old, indexKeys: keys })
    await index.batch(keys.map(k => ({ type: 'put' as const, key: k, value: head.cid })))
  }
  await db.sublevel('meta', { valueEncoding: 'json' }).del('postings')
  await db.close()
}

describe('store format', () => {
  it('keeps only the history postings on disk, the current heads\' in memory, and serves after a restart what it served before', async () => {
    const dir = join(await tempDir(), 'data')
    const node = createCatalogueNode({ dataDir: dir, sparql: false })
    await node.start()
    for (let n = 1; n <= 4; n++) await node.publish(await offering(n, n % 2 === 0 ? 'Lighthouse storage' : 'Harbour storage'))
    const before = await answers(node)
    await node.stop()

    // one history posting per version, its value the CID; the heads' postings are rebuilt from their terms at open
    const postings = await storedPostings(dir)
    assert.equal(postings.length, 4)
    for (const [k, value] of postings) assert.ok(k.startsWith('h\u0000') && value.startsWith('baf'), `posting ${JSON.stringify(k)} → ${JSON.stringify(value)}`)

    const again = createCatalogueNode({ dataDir: dir, sparql: false })
    await again.start()
    assert.deepEqual(await answers(again), before)
    await again.stop()
  })

  it('reads its posting lists back as written at a clean close, and rebuilds them from the heads when they are stale or missing', async () => {
    const dir = join(await tempDir(), 'data')
    const file = join(dir, 'store.postings')
    const run = runner(dir)
    await run(async node => { for (let n = 1; n <= 4; n++) await node.publish(await offering(n, n % 2 === 0 ? 'Lighthouse storage' : 'Harbour storage')) })
    const written = await readFile(file, 'utf8')
    const four = await run(answers) as { words: string[] }
    assert.equal(four.words.length, 2)
    // read back with the lists: each head as it was, a superseded and a revoked one too
    const changed = await run(async node => {
      await node.publish(await offering(1, 'Harbour storage renewed', 2))
      await node.revoke(await signRevocation(subject(3), key))
      return { answers: await answers(node), heads: await headsOf(node) }
    })
    assert.deepEqual(await run(async node => ({ answers: await answers(node), heads: await headsOf(node) })), changed)
    // and a head read so is replaced cleanly: the new version listed, the old one not
    await run(async node => {
      const old = (await node.getEntry(key.kid.split('#')[0], subject(2))).cid
      const { cid } = await node.publish(await offering(2, 'Lighthouse storage renewed', 3))
      const all = ((await answers(node)) as { all: string[] }).all
      assert.ok(all.includes(cid) && !all.includes(old), `${cid} listed, ${old} not: ${all.join(' ')}`)
    })
    // a fifth entry, then the lists of the four put back: they no longer match the store and are not used
    const five = await run(async node => { await node.publish(await offering(5, 'Lighthouse archive')); return answers(node) }) as { words: string[] }
    assert.equal(five.words.length, 3)
    await writeFile(file, written)
    assert.deepEqual(await run(answers), five)
    // none at all (a node that did not close): rebuilt from the heads
    await rm(file)
    assert.deepEqual(await run(answers), five)
    // and written again as it closed
    assert.notEqual(await readFile(file, 'utf8'), written)
  })

  it('reads the heads back as written at a clean close, and reads their records when the file is stale, altered, malformed or missing', async () => {
    const dir = join(await tempDir(), 'data')
    const file = join(dir, 'store.heads')
    const run = runner(dir)
    const both = async (node: CatalogueNode): Promise<unknown> => ({ answers: await answers(node), heads: await headsOf(node) })
    await run(async node => { for (let n = 1; n <= 4; n++) await node.publish(await offering(n, n % 2 === 0 ? 'Lighthouse storage' : 'Harbour storage')) })
    const four = await readFile(file, 'utf8')
    const [header, ...lines] = four.split('\n')
    assert.equal(lines.length, 4)
    assert.equal(JSON.parse(header).state.heads, 4)
    const expected = await run(both)
    // a superseded and a revoked head: read back from the file as they were
    const changed = await run(async node => {
      await node.publish(await offering(1, 'Harbour storage renewed', 2))
      await node.revoke(await signRevocation(subject(3), key))
      return both(node)
    })
    assert.notDeepEqual(changed, expected)
    const written = await readFile(file, 'utf8')
    assert.notEqual(written, four)
    assert.deepEqual(await run(both), changed)
    // the file of an older state (another head for entry 1) is not used: the records are read
    await writeFile(file, four)
    assert.deepEqual(await run(both), changed)
    // nor one whose heads differ from their records, although its state is the store's
    const [current, ...heads] = written.split('\n')
    const first = heads[0].split('\t')
    const other = heads[1].split('\t')
    await writeFile(file, [current, [first[0], other[1], first[2], first[3]].join('\t'), ...heads.slice(1)].join('\n'))
    assert.deepEqual(await run(both), changed)
    // nor a malformed one
    await writeFile(file, [current, 'not a head', ...heads.slice(1)].join('\n'))
    assert.deepEqual(await run(both), changed)
    // nor none at all: the records are read, and the file written again as the node closes
    await rm(file)
    assert.deepEqual(await run(both), changed)
    const sorted = (text: string): string[] => text.split('\n').sort()
    assert.deepEqual(sorted(await readFile(file, 'utf8')), sorted(written))
    // and a head read from the file is replaced cleanly
    await run(async node => {
      const old = (await node.getEntry(key.kid.split('#')[0], subject(2))).cid
      const { cid } = await node.publish(await offering(2, 'Lighthouse storage renewed', 3))
      const all = ((await answers(node)) as { all: string[] }).all
      assert.ok(all.includes(cid) && !all.includes(old), `${cid} listed, ${old} not: ${all.join(' ')}`)
    })
  })

  it('reads a store written in the older format, and supersedes and revokes its entries cleanly', async () => {
    const dir = join(await tempDir(), 'data')
    const node = createCatalogueNode({ dataDir: dir, sparql: false })
    await node.start()
    for (let n = 1; n <= 4; n++) await node.publish(await offering(n, n % 2 === 0 ? 'Lighthouse storage' : 'Harbour storage'))
    const before = await answers(node) as { words: string[], all: string[] }
    await node.stop()
    await rewriteAsOldFormat(dir)

    const old = createCatalogueNode({ dataDir: dir, sparql: false })
    await old.start()
    try {
      assert.deepEqual(await answers(old), before)
      // entry 2 gets a new name, entry 4 is revoked: neither is found under "lighthouse" any more
      const renamed = await old.publish(await offering(2, 'Beacon storage', 2))
      assert.equal(renamed.status, 'active')
      assert.equal((await old.revoke(await signRevocation(subject(4), key))).status, 'revoked')
      assert.deepEqual((await old.list({ q: 'lighthouse', limit: 50 })).items, [])
      assert.deepEqual((await old.list({ q: 'beacon', limit: 50 })).items.map(i => i.cid), [renamed.cid])
      assert.equal((await old.list({ limit: 50 })).items.length, 3)
      assert.deepEqual((await old.facets(10)).types, [{ value: 'gx:ServiceOffering', count: 3 }])
    } finally {
      await old.stop()
    }
    // the postings it kept on disk are gone: only the history is left (five versions)
    assert.deepEqual((await storedPostings(dir)).map(([k]) => k[0]), ['h', 'h', 'h', 'h', 'h'])
  })

  it('writes a version\'s JWS as the JSON it encodes and gives back the very JWS it took, also from records written before', async () => {
    const dir = join(await tempDir(), 'data')
    const node = createCatalogueNode({ dataDir: dir, sparql: false })
    await node.start()
    const jws = [await offering(1, 'Lighthouse storage'), await offering(2, 'Harbour storage')]
    const cids = []
    for (const item of jws) cids.push((await node.publish(item)).cid)
    await node.stop()

    const db = new ClassicLevel<string, string>(join(dir, 'store'))
    const raw = db.sublevel<string, string>('versions', { valueEncoding: 'utf8' })
    const stored = JSON.parse(await raw.get(cids[0]) as string)
    assert.equal(stored.jws, undefined)
    assert.match(stored.jwsPayload, /"credentialSubject":/) // JSON that Snappy can compress, not base64url
    // the second as gxcat wrote versions before: the JWS as it came
    const { jwsHeader: _h, jwsPayload: _p, jwsSignature: _s, ...rest } = JSON.parse(await raw.get(cids[1]) as string)
    await raw.put(cids[1], JSON.stringify({ ...rest, jws: jws[1] }))
    await db.close()

    const again = createCatalogueNode({ dataDir: dir, sparql: false })
    await again.start()
    try {
      assert.equal((await again.getVersion(cids[0])).jws, jws[0])
      assert.equal((await again.getVersion(cids[1])).jws, jws[1])
    } finally {
      await again.stop()
    }
  })

  it('keeps a JWS whose segments do not decode back to themselves exactly as it came', () => {
    const record = { cid: 'c', entry: 'e', issuer: 'did:web:x', subject: 's', types: [], typeIris: [], validFrom: '', receivedAt: '', seq: 1 }
    // base64url with stray low bits in the last character ("eyJhIjoxfQ" is {"a":1}; "eyJhIjoxfR" decodes alike)
    for (const jws of ['eyJhIjoxfQ.eyJhIjoxfR.c2ln', 'eyJhIjoxfQ.eyJhIjoxfQ.c2ln', 'eyJhIjoxfQ.gA.c2ln']) {
      const text = versionEncoding.encode({ ...record, jws } as unknown as VersionRecord)
      assert.equal(versionEncoding.decode(text).jws, jws)
      // the credential the RDF index is rebuilt from, read from the record as stored (either form)
      if (jws !== 'eyJhIjoxfQ.gA.c2ln') assert.deepEqual(credentialOfVersionText(text), { entry: 'e', validUntil: undefined, credential: { a: 1 } })
    }
    assert.equal(JSON.parse(versionEncoding.encode({ ...record, jws: 'eyJhIjoxfQ.eyJhIjoxfR.c2ln' } as unknown as VersionRecord)).jws, 'eyJhIjoxfQ.eyJhIjoxfR.c2ln')
  })
})
