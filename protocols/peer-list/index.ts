/**
 * The peer-list protocol: a node asks a peer (a bootstrap node above all) which peers it
 * knows, and dials some of them, so that the mesh does not hang on the bootstrap nodes. One
 * length-prefixed JSON answer with explicit limits on its size and the number of peers.
 */
import { lpStream } from '@libp2p/utils'
import { PEER_LIST_MAX_BYTES, PEER_LIST_MAX_PEERS } from '../constants.ts'
import type { AbortOptions, Stream } from '@libp2p/interface'

export class InvalidPeerListError extends Error {
  static name = 'InvalidPeerListError'
  name = 'InvalidPeerListError'
}

export interface PeerListEntry {
  id: string
  addrs: string[]
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodePeerList (peers: PeerListEntry[]): Uint8Array {
  return encoder.encode(JSON.stringify({ peers: peers.slice(0, PEER_LIST_MAX_PEERS).map(p => ({ id: p.id, addrs: p.addrs.slice(0, 8) })) }))
}

export function decodePeerList (bytes: Uint8Array): PeerListEntry[] {
  let value: any
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch {
    throw new InvalidPeerListError('a peer list that is not JSON')
  }
  if (!Array.isArray(value?.peers) || value.peers.length > PEER_LIST_MAX_PEERS) throw new InvalidPeerListError(`a peer list holds at most ${PEER_LIST_MAX_PEERS} peers`)
  return value.peers.map((p: any) => {
    if (typeof p?.id !== 'string' || !Array.isArray(p.addrs) || p.addrs.length > 8 || !p.addrs.every((a: unknown) => typeof a === 'string' && a.length < 512)) {
      throw new InvalidPeerListError('a peer list entry has an id and at most 8 address strings')
    }
    return { id: p.id, addrs: p.addrs }
  })
}

/** Serves one peer list on an incoming stream. */
export async function servePeerList (stream: Stream, peers: PeerListEntry[], options: AbortOptions = {}): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: PEER_LIST_MAX_BYTES })
  await lp.write(encodePeerList(peers), options)
  await stream.close(options)
}

/** Reads one peer list from an outgoing stream. */
export async function readPeerList (stream: Stream, options: AbortOptions = {}): Promise<PeerListEntry[]> {
  const lp = lpStream(stream, { maxDataLength: PEER_LIST_MAX_BYTES })
  const answer = await lp.read(options)
  await stream.close(options).catch(() => {})
  return decodePeerList(answer.subarray())
}
