import assert from 'node:assert/strict'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { defaultLogger } from '@libp2p/logger'
import { MAX_GOSSIP_MESSAGE_BYTES } from '../../../protocols/constants.ts'
import { createCatalogueValidator, decodeGossipMessage, encodeGossipMessage, gossipMessageId } from '../../../protocols/gossip/index.ts'
import {
  CertificateNotYetValidError, CredentialExpiredError, CredentialNotYetValidError, CredentialRevokedError, CredentialSuspendedError, DidResolutionError,
  ExpiredCertificateError, InvalidSignatureError, KeyMismatchError, KeyNotFoundError, StatusListError, versionCid
} from '../../../protocols/self-description/index.ts'
import { StoreError } from '../../../node/errors.ts'

const log = defaultLogger().forComponent('test')
const peer = { toString: () => 'peer-a' }
const message = (data: Uint8Array): any => ({ type: 'unsigned', topic: 't', data })

describe('gossip messages', () => {
  it('round-trips and uses the CID of the JWS as message id', () => {
    const data = encodeGossipMessage({ kind: 'revocation', jws: 'a.b.c' })
    assert.deepEqual(decodeGossipMessage(data), { kind: 'revocation', jws: 'a.b.c' })
    assert.deepEqual(gossipMessageId({ data }), versionCid('a.b.c').bytes)
  })

  it('refuses unknown kinds, empty and oversized messages', () => {
    assert.throws(() => decodeGossipMessage(Uint8Array.of(9, 65)), { name: 'InvalidGossipMessageError' })
    assert.throws(() => decodeGossipMessage(new Uint8Array(0)), { name: 'InvalidGossipMessageError' })
    assert.throws(() => decodeGossipMessage(new Uint8Array(MAX_GOSSIP_MESSAGE_BYTES + 1).fill(1)), { name: 'InvalidGossipMessageError' })
    assert.throws(() => decodeGossipMessage(Uint8Array.of(1, 0xff, 0xfe)), { name: 'InvalidGossipMessageError' })
    assert.equal(gossipMessageId({ data: Uint8Array.of(9, 9) }).length, 34) // never throws
  })

  it('accepts new, ignores duplicates and what is not the sender\'s fault, rejects the invalid', async () => {
    const rejected: string[] = []
    const counters = { accepted: 0, ignored: 0, rejected: 0 }
    const outcomes: Array<() => Promise<any>> = [
      async () => 'accepted',
      async () => 'duplicate',
      async () => 'stale',
      async () => { throw new StoreError('disk full') },
      async () => { throw new InvalidSignatureError('forged') }
    ]
    const expected = [TopicValidatorResult.Accept, TopicValidatorResult.Ignore, TopicValidatorResult.Ignore, TopicValidatorResult.Ignore, TopicValidatorResult.Reject]
    for (let i = 0; i < outcomes.length; i++) {
      const validate = createCatalogueValidator(outcomes[i], log, { counters, onReject: p => rejected.push(p) })
      assert.equal(await validate(peer, message(encodeGossipMessage({ kind: 'version', jws: 'x.y.z' }))), expected[i])
    }
    const validate = createCatalogueValidator(async () => 'accepted', log, { counters, onReject: p => rejected.push(p) })
    assert.equal(await validate(peer, message(Uint8Array.of(7))), TopicValidatorResult.Reject)
    assert.deepEqual(counters, { accepted: 1, ignored: 3, rejected: 2 })
    assert.deepEqual(rejected, ['peer-a', 'peer-a'])
  })

  it('never blames the relaying peer for the issuer\'s status list, DID host or key rotation, nor for time that moved on (or clocks that differ)', async () => {
    const rejected: string[] = []
    for (const error of [
      new StatusListError('unreachable'), new CredentialRevokedError('revoked'), new CredentialSuspendedError('suspended'), new DidResolutionError('timeout'),
      new KeyNotFoundError('rotated away'), new KeyMismatchError('certificate renewed for another key'),
      new CredentialExpiredError('expired meanwhile'), new CredentialNotYetValidError('a clock ahead'), new ExpiredCertificateError('expired meanwhile'), new CertificateNotYetValidError('a clock ahead')
    ]) {
      const validate = createCatalogueValidator(async () => { throw error }, log, { onReject: p => rejected.push(p) })
      assert.equal(await validate(peer, message(encodeGossipMessage({ kind: 'version', jws: 'x.y.z' }))), TopicValidatorResult.Ignore, error.name)
    }
    assert.deepEqual(rejected, [])
  })
})
