/**
 * A node whose shapes workers decode and check credentials (prepare.ts: from two workers on, or
 * when asked) decides and stores exactly what a node that does it in its own thread does: the
 * same outcome or typed refusal for every credential, and the same store, byte for byte (but the
 * instant each version arrived).
 */
import assert from 'node:assert/strict'
import { Level } from 'level'
import { GX_DEVELOPMENT, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { createDidResolver, didOf, generateIssuerKey, signCredential, signJws } from '../../../protocols/self-description/index.ts'
import { createCatalogueNode, type CatalogueNode } from '../../../node/catalogue-node.ts'
import { checkedOfPrepared, errorOfRefusal, prepareCredential, refusalOf } from '../../../node/verification/prepare.ts'
import { createShapesPool, type ShapesPool } from '../../../node/verification/shapes-pool.ts'
import { segmentTextsOf } from '../../../node/store/records.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { createGaiaxIssuer, createIntermediateCa, createRootCa, startDidWebHost } from '../../fixtures/gaia-x-issuer.ts'
import { b64u, decodePart, hmacSign, rawSign, resign } from '../../fixtures/jws.ts'
import { tempDir } from '../../fixtures/node.ts'
import { legalPerson2511, serviceOffering } from '../../fixtures/subjects.ts'

const VALID_FROM = '2026-01-01T00:00:00Z'

/** A JWS whose payload segment decodes to the same bytes as the canonical one but is written otherwise (spare bits set). */
function nonCanonicalPayload (payload: Record<string, unknown>, key: ReturnType<typeof generateIssuerKey>): string {
  let text = JSON.stringify(payload)
  while (b64u(text).length % 4 === 0) text += ' '
  const segment = b64u(text)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const odd = segment.slice(0, -1) + alphabet[alphabet.indexOf(segment.at(-1) as string) ^ 1]
  assert.equal(Buffer.from(odd, 'base64url').toString('utf8'), text)
  return rawSign({ alg: 'EdDSA', kid: key.kid, typ: 'vc+ld+json+jwt' }, odd, key)
}

/** Every key and value of a store, the instants versions arrived made alike. */
async function storeContents (dir: string): Promise<Array<[string, string]>> {
  const db = new Level<string, string>(`${dir}/store`, { valueEncoding: 'utf8' })
  const pairs: Array<[string, string]> = []
  for await (const [key, value] of db.iterator()) pairs.push([key, value.replace(/"receivedAt":"[^"]*"/, '"receivedAt":"…"')])
  await db.close()
  return pairs
}

describe('credentials prepared by the shapes workers', function () {
  this.timeout(120_000)

  it('are judged and stored as the main thread judges and stores them, byte for byte', async () => {
    const web = await startDidWebHost()
    try {
      const root = await createRootCa('Test Trust Anchor')
      const notary = await createGaiaxIssuer(web, { alg: 'ES256', name: 'notary', chain: [await createIntermediateCa('Test CA', root), root] })
      const ed = generateIssuerKey()
      const p256 = generateIssuerKey('p256')
      const so = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...serviceOffering(id), ...extra })
      const good = await signCredential(so('https://so.example/a'), ed, { validFrom: VALID_FROM })
      const vc = { '@context': [VC2_CONTEXT, GX_DEVELOPMENT], id: 'urn:uuid:5f0c1d52-8a8f-4b0e-9d59-3b3c0e9e1f21', type: ['VerifiableCredential'], issuer: didOf(ed.kid), validFrom: VALID_FROM, credentialSubject: so('https://so.example/wrapped') }
      const corpus: Array<[string, string]> = [
        ...(await generateJws(24, { seed: 91 })).map((jws, i): [string, string] => [`generated ${i}`, jws]),
        ['EdDSA', good],
        ['the same again', good],
        ['a newer version of it', await signCredential(so('https://so.example/a', { 'schema:name': 'newer' }), ed, { validFrom: '2026-02-01T00:00:00Z' })],
        ['an older one, stale by then', await signCredential(so('https://so.example/a'), ed, { validFrom: '2025-12-01T00:00:00Z' })],
        ['ES256', await signCredential(so('https://so.example/p256'), p256, { validFrom: VALID_FROM })],
        ['not ASCII', await signCredential(so('https://so.example/ünïcødé', { 'schema:name': 'Bäckerei Müller — 東京 データ' }), ed, { validFrom: VALID_FROM })],
        ['under a vc claim', await signJws({ iss: vc.issuer, sub: vc.credentialSubject.id, jti: vc.id, vc }, ed, { typ: 'JWT' })],
        ['a payload written otherwise than base64url writes it', nonCanonicalPayload({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: didOf(ed.kid), validFrom: VALID_FROM, credentialSubject: so('https://so.example/odd') }, ed)],
        ['did:web with a certificate chain', await notary.issue(legalPerson2511('https://lp.example/notarised'))],
        ['no subject id', resign(good, ed, p => { delete p.credentialSubject.id })],
        ['expired', resign(good, ed, p => { p.credentialSubject.id = 'https://so.example/expired'; p.validUntil = '2026-01-02T00:00:00Z' })],
        ['violates the shapes', resign(good, ed, p => { p.credentialSubject.id = 'https://so.example/bad'; p.credentialSubject['gx:unknownProperty'] = 'closed shapes refuse it' })],
        ['signed by another key', rawSign(decodePart(good, 0), { ...decodePart(good, 1), credentialSubject: so('https://so.example/forged') }, generateIssuerKey())],
        ['kid of another issuer', rawSign({ ...decodePart(good, 0), kid: p256.kid }, decodePart(good, 1), p256)],
        ['HMAC', hmacSign({ alg: 'HS256', kid: ed.kid }, decodePart(good, 1), 'secret')],
        ['not a JWS', 'not.a-jws'],
        ['nested too deep', resign(good, ed, p => { p.credentialSubject['schema:deep'] = JSON.parse('{"a":'.repeat(80) + '1' + '}'.repeat(80)) })]
      ]
      const outcomes: unknown[][] = []
      const stores: Array<Array<[string, string]>> = []
      const pool = createShapesPool(1, { prepare: true })
      for (const shapes of [pool, createShapesPool(0)]) {
        const dataDir = await tempDir()
        const node: CatalogueNode = createCatalogueNode({ dataDir, shapes, statusRecheckMs: 0, resolver: createDidResolver({ originOverrides: [web.override] }) })
        await node.start()
        try {
          assert.equal((node.shapes as ShapesPool).prepare != null, shapes === pool, 'its workers prepare; a node without them prepares in its thread')
          const results: unknown[] = []
          for (const [what, jws] of corpus) {
            try {
              const { status, cid, entry, supersedes } = await node.publish(jws)
              results.push({ what, status, cid, entry, supersedes })
            } catch (err: any) {
              results.push({ what, error: err.name, message: err.message.replace(/_:[^ ;]*/g, '_:blank') })
            }
          }
          outcomes.push(results)
        } finally {
          await node.stop()
        }
        stores.push(await storeContents(dataDir))
      }
      await pool.close()
      assert.deepEqual(outcomes[0], outcomes[1])
      const refused = (outcomes[0] as Array<{ what: string, error?: string }>).filter(o => o.error != null).map(o => o.what)
      assert.deepEqual(refused, ['no subject id', 'expired', 'violates the shapes', 'signed by another key', 'kid of another issuer', 'HMAC', 'not a JWS', 'nested too deep'])
      assert.ok(stores[0].length > 90, 'the store holds the accepted versions')
      assert.deepEqual(stores[0], stores[1])
      assert.ok(stores[0].some(([, value]) => value.includes('"jwsPayload":"{')), 'records hold their payload as text')
      assert.ok(stores[0].some(([, value]) => value.includes('"jws":"')), 'the oddly written payload is kept as it came')
    } finally {
      await web.close()
    }
  })

  it('crosses between threads as plain data, and refusals come back as their typed errors', async () => {
    const ed = generateIssuerKey()
    const jws = await signCredential(serviceOffering('https://so.example/plain'), ed, { validFrom: VALID_FROM })
    const prepared = prepareCredential(jws, Date.now())
    assert.deepEqual(structuredClone(prepared), prepared)
    const checked = checkedOfPrepared(structuredClone(prepared))
    assert.equal(Object.keys(checked).includes('credential'), false, 'the credential is not a field: it is read when asked')
    assert.equal((checked.credential.credentialSubject as { id: string }).id, 'https://so.example/plain')
    assert.deepEqual(segmentTextsOf(checked), prepared.segments, 'its segment texts go with it to the store')
    assert.ok(prepared.segments != null)
    assert.equal(createShapesPool(1).prepare, undefined, 'one worker: the main thread prepares (PREPARE_IN_WORKERS_FROM)')
    assert.equal(typeof createShapesPool(2).prepare, 'function', 'two: the workers do')
    const pool = createShapesPool(1, { prepare: true })
    try {
      assert.deepEqual(await pool.prepare?.(jws, Date.now()), prepared)
      await assert.rejects(pool.prepare?.(resign(jws, ed, p => { p.validFrom = 'yesterday' }), Date.now()) as Promise<unknown>, (err: any) => err.name === 'InvalidCredentialError' && err.httpStatus === 400 && /validFrom/.test(err.message))
    } finally {
      await pool.close()
    }
    assert.equal(errorOfRefusal(refusalOf(new TypeError('x'))).name, 'TypeError')
  })
})
