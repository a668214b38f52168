/**
 * The wire format of a catalogue gossip message: one byte that says what it carries, then the
 * exact bytes of the JWS. The message id is the CID of those JWS bytes, so a version has the
 * same id on every node however it arrived (gossip, sync, API).
 */
import { sha256 } from 'multiformats/hashes/sha2'
import { MAX_GOSSIP_MESSAGE_BYTES } from '../constants.ts'
import { versionCid } from '../self-description/identity.ts'
import { InvalidGossipMessageError } from './errors.ts'

export type GossipKind = 'version' | 'revocation'

const KIND_BYTE: Record<GossipKind, number> = { version: 0x01, revocation: 0x02 }
const decoder = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

export interface GossipMessage {
  kind: GossipKind
  jws: string
}

export function encodeGossipMessage (message: GossipMessage): Uint8Array {
  const jws = encoder.encode(message.jws)
  const out = new Uint8Array(jws.length + 1)
  out[0] = KIND_BYTE[message.kind]
  out.set(jws, 1)
  return out
}

export function decodeGossipMessage (data: Uint8Array): GossipMessage {
  if (data.length > MAX_GOSSIP_MESSAGE_BYTES) throw new InvalidGossipMessageError(`a gossip message of ${data.length} bytes is over the limit of ${MAX_GOSSIP_MESSAGE_BYTES}`)
  if (data.length < 2) throw new InvalidGossipMessageError('an empty gossip message')
  const kind = data[0] === KIND_BYTE.version ? 'version' : data[0] === KIND_BYTE.revocation ? 'revocation' : undefined
  if (kind == null) throw new InvalidGossipMessageError(`unknown gossip message kind 0x${data[0].toString(16)}`)
  let jws: string
  try {
    jws = decoder.decode(data.subarray(1))
  } catch {
    throw new InvalidGossipMessageError('a gossip message that is not UTF-8')
  }
  return { kind, jws }
}

/** gossipsub msgIdFn: the CID of the carried JWS (a hash of the raw bytes if it is malformed). */
export function gossipMessageId (message: { data: Uint8Array }): Uint8Array {
  const data = message.data
  if (data.length > 1 && data.length <= MAX_GOSSIP_MESSAGE_BYTES && (data[0] === KIND_BYTE.version || data[0] === KIND_BYTE.revocation)) {
    return versionCid(data.subarray(1)).bytes
  }
  return (sha256.digest(data) as { bytes: Uint8Array }).bytes
}
