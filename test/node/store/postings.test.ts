import assert from 'node:assert/strict'
import { createPostings } from '../../../node/store/postings.ts'
import { indexPrefix, type HeadTerms } from '../../../node/store/records.ts'

const terms = (types: string[], properties: Array<[string, string]> = []): HeadTerms => ({ issuer: 'did:web:x', types, tokens: ['air'], properties })

describe('postings in memory', () => {
  it('keeps each list ascending, answers pages after a seq, and forgets what is removed', async () => {
    const postings = createPostings()
    const a = indexPrefix('a')
    const x = indexPrefix('t', 'gx:X')
    const name = indexPrefix('p', 'gx:name', 'Air data')
    // heads loaded as a store opens them: in key order, not seq order
    const loading = postings.load([{ seq: 7, terms: terms(['gx:X']) }, { seq: 2, terms: terms([]) }, { seq: 5, terms: terms(['gx:X'], [['gx:name', 'Air data']]) }])
    // every list says whether it is still loading: words and property values come last
    assert.notEqual(postings.loaded(indexPrefix('w', 'air')), undefined)
    assert.notEqual(postings.loaded(name), undefined)
    await loading
    for (const prefix of [a, x, name, indexPrefix('w', 'air')]) assert.equal(postings.loaded(prefix), undefined)
    postings.add(9, terms(['gx:Y']))
    assert.deepEqual(postings.after(a, 0, 10), [2, 5, 7, 9])
    assert.deepEqual(postings.after(a, 5, 10), [7, 9])
    assert.deepEqual(postings.after(a, 2, 2), [5, 7])
    assert.deepEqual(postings.after(x, 0, 10), [5, 7])
    assert.deepEqual(postings.after(indexPrefix('w', 'air'), 6, 10), [7, 9])
    assert.deepEqual(postings.after(indexPrefix('i', 'did:web:x'), 0, 2), [2, 5])
    assert.deepEqual(postings.after(name, 0, 10), [5])
    assert.deepEqual(postings.after(name, 5, 10), [])
    assert.deepEqual(postings.after(indexPrefix('t', 'none'), 0, 10), [])
    assert.equal(postings.has(x, 7), true)
    assert.equal(postings.has(x, 9), false)
    assert.equal(postings.has(x, 1), false)
    assert.equal(postings.has(name, 5), true)
    assert.equal(postings.has(indexPrefix('p', 'gx:name', 'Other'), 5), false)

    // a page read is a copy: a head replaced while a scan runs does not shift it
    const page = postings.after(a, 0, 10)
    postings.remove(5, terms(['gx:X'], [['gx:name', 'Air data']]))
    postings.add(10, terms(['gx:X'], [['gx:name', 'Air data']]))
    assert.deepEqual(page, [2, 5, 7, 9])
    assert.deepEqual(postings.after(a, 0, 10), [2, 7, 9, 10])
    assert.deepEqual(postings.after(x, 0, 10), [7, 10])
    assert.deepEqual(postings.after(name, 0, 10), [10])
    // removing what is not there changes nothing; a list emptied is gone
    postings.remove(4, terms([]))
    postings.remove(9, terms(['gx:Y']))
    assert.deepEqual(postings.after(a, 0, 10), [2, 7, 10])
    assert.equal(postings.has(indexPrefix('t', 'gx:Y'), 9), false)
    postings.remove(10, terms(['gx:X'], [['gx:name', 'Air data']]))
    assert.deepEqual(postings.after(name, 0, 10), [])
    // the same head added twice is in each list once
    postings.add(7, terms(['gx:X']))
    assert.deepEqual(postings.after(a, 0, 10), [2, 7])
    assert.deepEqual(postings.after(x, 0, 10), [7])
  })

  it('tells how many heads each list holds: the facets of a store that read its lists back', () => {
    const postings = createPostings()
    postings.add(1, { ...terms(['gx:X'], [['gx:keyword', 'air'], ['gx:name', 'A']]), issuer: 'did:web:a' })
    postings.add(2, { ...terms(['gx:X', 'gx:Y'], [['gx:keyword', 'air'], ['gx:keyword', 'sea']]), issuer: 'did:web:b' })
    postings.add(3, { ...terms(['gx:Y'], [['gx:keyword', 'sea']]), issuer: 'did:web:b' })
    postings.remove(3, { ...terms(['gx:Y'], [['gx:keyword', 'sea']]), issuer: 'did:web:b' })
    const again = createPostings()
    again.restore(postings.serialize())
    for (const lists of [postings, again]) {
      assert.deepEqual([...lists.sizes('t')].sort(), [['gx:X', 2], ['gx:Y', 1]])
      assert.deepEqual([...lists.sizes('i')].sort(), [['did:web:a', 1], ['did:web:b', 1]])
      assert.deepEqual([...lists.sizes('p', 'gx:keyword')].sort(), [['air', 2], ['sea', 1]])
      assert.deepEqual([...lists.sizes('p', 'gx:none')], [])
    }
  })
})
