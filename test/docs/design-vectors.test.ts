/**
 * The test vectors of docs/design.md ("Wire formats") are what the code writes: a fixed issuer
 * key (a fixed Ed25519 seed, signatures are deterministic) signs a fixed credential, and each
 * wire format of that version is computed here and compared with the document.
 */
import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { encodeGossipMessage, gossipMessageId } from '../../protocols/gossip/index.ts'
import { entryRecordKey, indexTermCid } from '../../protocols/dht-records/index.ts'
import { encodeFrame, idOfCid } from '../../protocols/sync/index.ts'
import { encodePeerList } from '../../protocols/peer-list/index.ts'
import { entryId, signJws, versionCidText, type IssuerKey } from '../../protocols/self-description/index.ts'
import { VC2_CONTEXT, GX_DEVELOPMENT } from '../../protocols/constants.ts'

const SEED = Buffer.alloc(32, 7)
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

async function vectors (): Promise<Record<string, string>> {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), SEED])
  const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as Record<string, string>
  const multicodec = Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(jwk.x, 'base64url')])
  const { base58btc } = await import('multiformats/bases/base58')
  const did = `did:key:${base58btc.encode(multicodec)}`
  const key = { ...jwk, kid: `${did}#${did.slice('did:key:'.length)}` } as unknown as IssuerKey
  const credential = {
    '@context': [VC2_CONTEXT, GX_DEVELOPMENT],
    id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    type: ['VerifiableCredential'],
    issuer: did,
    validFrom: '2026-01-01T00:00:00Z',
    credentialSubject: { id: 'https://provider.example/services/demo', type: 'gx:ServiceOffering', 'schema:name': 'Demo storage' }
  }
  const jws = await signJws(credential, key, { typ: 'vc+jwt', cty: 'vc', iss: did })
  const cid = versionCidText(jws)
  const entry = entryId(did, credential.credentialSubject.id)
  const gossip = encodeGossipMessage({ kind: 'version', jws })
  const id = idOfCid(cid)
  return {
    issuer: did,
    jws,
    cid,
    entry,
    gossipMessagePrefix: hex(gossip.subarray(0, 8)),
    gossipMessageLength: String(gossip.length),
    gossipMessageId: hex(gossipMessageId({ data: gossip })),
    dhtRecordKey: Buffer.from(entryRecordKey(entry)).toString('utf8'),
    dhtTypeTerm: indexTermCid('type', 'gx:ServiceOffering').toString(),
    syncId: hex(id),
    syncWant: hex(encodeFrame({ t: 'want', ids: [id] })),
    syncAck: hex(encodeFrame({ t: 'ack', stored: 1 })),
    syncEnd: hex(encodeFrame({ t: 'end' })),
    peerList: Buffer.from(encodePeerList([{ id: '12D3KooWExample', addrs: ['/ip4/192.0.2.1/tcp/4401'] }])).toString('utf8')
  }
}

describe('docs/design.md test vectors', () => {
  it('are what the code writes', async () => {
    const text = readFileSync(new URL('../../docs/design.md', import.meta.url), 'utf8')
    const block = /<!-- vectors -->\s*```json\n([\s\S]*?)\n```/.exec(text)
    assert.ok(block != null, 'docs/design.md has a vectors block')
    assert.deepEqual(JSON.parse(block[1]), await vectors())
  })
})

export { vectors }
