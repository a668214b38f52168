import assert from 'node:assert/strict'
import { createPostings } from '../../../node/store/postings.ts'

describe('postings in memory', () => {
  it('keeps each list ascending, answers pages after a seq, and forgets what is removed', () => {
    const postings = createPostings()
    // heads loaded as a store opens them: in key order, not seq order
    postings.load([{ seq: 7, prefixes: ['a', 't\u0000x'] }, { seq: 2, prefixes: ['a'] }, { seq: 5, prefixes: ['a', 't\u0000x'] }])
    postings.add(9, ['a', 't\u0000y'])
    assert.deepEqual(postings.after('a', 0, 10), [2, 5, 7, 9])
    assert.deepEqual(postings.after('a', 5, 10), [7, 9])
    assert.deepEqual(postings.after('a', 2, 2), [5, 7])
    assert.deepEqual(postings.after('t\u0000x', 0, 10), [5, 7])
    assert.deepEqual(postings.after('none', 0, 10), [])
    assert.equal(postings.has('t\u0000x', 7), true)
    assert.equal(postings.has('t\u0000x', 9), false)
    assert.equal(postings.has('t\u0000x', 1), false)

    // a page read is a copy: a head replaced while a scan runs does not shift it
    const page = postings.after('a', 0, 10)
    postings.remove(5, ['a', 't\u0000x'])
    postings.add(10, ['a', 't\u0000x'])
    assert.deepEqual(page, [2, 5, 7, 9])
    assert.deepEqual(postings.after('a', 0, 10), [2, 7, 9, 10])
    assert.deepEqual(postings.after('t\u0000x', 0, 10), [7, 10])
    // removing what is not there changes nothing; a list emptied is gone
    postings.remove(4, ['a'])
    postings.remove(9, ['t\u0000y'])
    assert.deepEqual(postings.after('a', 0, 10), [2, 7, 9, 10])
    assert.equal(postings.has('t\u0000y', 9), false)
    // the same head added twice is in the list once
    postings.add(10, ['a'])
    assert.deepEqual(postings.after('a', 0, 10), [2, 7, 9, 10])
  })
})
