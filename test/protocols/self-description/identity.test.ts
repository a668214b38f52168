import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { cidTextOfDigest, digestOfCidText, entryId, versionCid, versionCidText, versionDigest } from '../../../protocols/self-description/identity.ts'

/** The CID of some bytes as multiformats builds it, step by step: what gxcat's spelling must equal. */
async function referenceCid (bytes: Uint8Array): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(bytes))
}

function sameBytes (a: Uint8Array, b: Uint8Array): void {
  assert.equal(Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex'))
}

describe('identity', () => {
  it('spells a version\'s CID as multiformats does, for text and bytes', async () => {
    const utf8 = new TextEncoder()
    for (const text of ['a.b.c', '', 'ünïcode ✓ 𝄞', randomBytes(1500).toString('base64url')]) {
      const expected = await referenceCid(utf8.encode(text))
      assert.equal(versionCidText(text), expected.toString())
      assert.equal(versionCidText(utf8.encode(text)), expected.toString())
      assert.ok(versionCid(text).equals(expected))
      sameBytes(versionDigest(text), expected.multihash.digest)
    }
  })

  it('names an entry by the CID of issuer and subject', async () => {
    const expected = await referenceCid(new TextEncoder().encode('did:key:z6Mk\nhttps://example.org/a'))
    assert.equal(entryId('did:key:z6Mk', 'https://example.org/a'), expected.toString())
  })

  it('reads the digest back from a CID\'s text, in gxcat\'s spelling or any other', async () => {
    for (let i = 0; i < 20; i++) {
      const cid = await referenceCid(randomBytes(100))
      assert.equal(cidTextOfDigest(cid.multihash.digest), cid.toString())
      sameBytes(digestOfCidText(cid.toString()), cid.multihash.digest)
      sameBytes(digestOfCidText(cid.toString(base58btc)), cid.multihash.digest)
    }
    assert.throws(() => digestOfCidText('not a cid'))
  })
})
