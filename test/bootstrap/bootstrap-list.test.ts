import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatBootstrapList, parseBootstrapList, resolveBootstrapList } from '../../bootstrap/index.ts'
import { decodePeerList, encodePeerList } from '../../protocols/peer-list/index.ts'
import { tempDir } from '../fixtures/node.ts'

const A = '/ip4/127.0.0.1/tcp/4401/p2p/12D3KooWLf9ko68n6p6Ansn1YDycah3Puus3VxhCMeKXXZj3Fzkm'
const B = '/memory/x/p2p/12D3KooWLzXAJdXjzE5yDDxmwXuH9kwLcrf5bceofVCkUJ53TGPd'

describe('bootstrap lists', () => {
  it('reads text lists with comments and JSON lists', () => {
    assert.deepEqual(parseBootstrapList(`# ours\n${A}\n\n${B} # memory\n`, 'list'), [A, B])
    assert.deepEqual(parseBootstrapList(JSON.stringify({ peers: [A] }), 'list'), [A])
    assert.deepEqual(parseBootstrapList(formatBootstrapList([A, B], 'x'), 'list'), [A, B])
  })

  it('names the line of a bad entry, and refuses addresses without a peer id', () => {
    assert.throws(() => parseBootstrapList(`${A}\n/ip4/1.2.3.4/tcp/1\n`, 'list'), { name: 'InvalidBootstrapListError', message: /list:2 .*no peer id/ })
    assert.throws(() => parseBootstrapList('{"peers": 3}', 'list'), { name: 'InvalidBootstrapListError' })
    assert.throws(() => parseBootstrapList('not an address', 'list'), { name: 'InvalidBootstrapListError', message: /list:1/ })
  })

  it('takes multiaddrs and files on the command line', async () => {
    const file = join(await tempDir(), 'list.txt')
    await writeFile(file, `${B}\n`)
    assert.deepEqual(await resolveBootstrapList([A, file, A]), [A, B])
    await assert.rejects(resolveBootstrapList(['/nope/file']), { name: 'InvalidBootstrapListError', message: /neither a multiaddr nor a readable file/ })
  })
})

describe('peer lists', () => {
  it('round-trips and enforces limits', () => {
    assert.deepEqual(decodePeerList(encodePeerList([{ id: 'a', addrs: [A] }])), [{ id: 'a', addrs: [A] }])
    const many = new TextEncoder().encode(JSON.stringify({ peers: Array.from({ length: 65 }, (_, i) => ({ id: `p${i}`, addrs: [] })) }))
    assert.throws(() => decodePeerList(many), { name: 'InvalidPeerListError' })
    assert.throws(() => decodePeerList(new TextEncoder().encode('{{')), { name: 'InvalidPeerListError' })
    assert.throws(() => decodePeerList(new TextEncoder().encode(JSON.stringify({ peers: [{ id: 'a', addrs: [1] }] }))), { name: 'InvalidPeerListError' })
  })
})
