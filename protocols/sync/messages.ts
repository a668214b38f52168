/**
 * Sync frames: length-prefixed JSON with explicit limits on frame size, ranges per frame and
 * ids per range, checked before anything is acted on.
 *
 *   rec   { t: 'rec', ranges: [{ l, u, fp?, n?, ids?, final? }] }   a reconciliation round
 *   want  { t: 'want', ids }                                        transfer: versions asked for
 *   items { t: 'items', items }                                     transfer: JWS (answer or push)
 *   ack   { t: 'ack', stored, full? }                               after a push; full: no more
 *                                                                   pushes taken now (the rest is pulled later)
 *   end   { t: 'end' }
 *
 * A bound is [ts] or [ts, id]; ids are 32-byte digests in base64url.
 */
import { MAX_CREDENTIAL_BYTES, SYNC_MAX_IDS, SYNC_MAX_RANGES, SYNC_TRANSFER_BATCH } from '../constants.ts'
import { SyncLimitError, SyncProtocolError } from './errors.ts'
import type { Bound } from './sync-set.ts'

export interface WireRange {
  l: Bound
  u: Bound
  /** fingerprint of the sender's items in the range */
  fp?: string
  /** how many items the sender has in the range */
  n?: number
  /** all of the sender's ids in the range */
  ids?: Uint8Array[]
  /** an id list sent in answer to an id list: the range is settled */
  final?: boolean
}

export type SyncFrame =
  | { t: 'rec', ranges: WireRange[] }
  | { t: 'want', ids: Uint8Array[] }
  | { t: 'items', items: string[] }
  | { t: 'ack', stored: number, full?: boolean }
  | { t: 'end' }

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

function encodeBound (bound: Bound): unknown[] {
  return bound.id == null ? [bound.ts] : [bound.ts, b64(bound.id)]
}

export function encodeFrame (frame: SyncFrame): Uint8Array {
  let value: unknown = frame
  if (frame.t === 'rec') {
    value = {
      t: 'rec',
      ranges: frame.ranges.map(r => ({
        l: encodeBound(r.l),
        u: encodeBound(r.u),
        ...(r.fp != null ? { fp: r.fp, n: r.n } : {}),
        ...(r.ids != null ? { ids: r.ids.map(b64) } : {}),
        ...(r.final === true ? { final: true } : {})
      }))
    }
  } else if (frame.t === 'want') {
    value = { t: 'want', ids: frame.ids.map(b64) }
  }
  return encoder.encode(JSON.stringify(value))
}

function decodeId (value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length !== 43) throw new SyncProtocolError('an id is 32 bytes in base64url')
  const bytes = Buffer.from(value, 'base64url')
  if (bytes.length !== 32) throw new SyncProtocolError('an id is 32 bytes in base64url')
  return new Uint8Array(bytes)
}

function decodeBound (value: unknown): Bound {
  if (!Array.isArray(value) || value.length < 1 || value.length > 2 || !Number.isSafeInteger(value[0]) || value[0] < 0) throw new SyncProtocolError('a bound is [timestamp] or [timestamp, id]')
  return value.length === 1 ? { ts: value[0] } : { ts: value[0], id: decodeId(value[1]) }
}

function decodeIds (value: unknown, max: number): Uint8Array[] {
  if (!Array.isArray(value)) throw new SyncProtocolError('ids must be a list')
  if (value.length > max) throw new SyncLimitError(`a frame lists ${value.length} ids, more than ${max}`)
  return value.map(decodeId)
}

export function decodeFrame (bytes: Uint8Array): SyncFrame {
  let value: any
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch {
    throw new SyncProtocolError('a sync frame that is not JSON')
  }
  switch (value?.t) {
    case 'rec': {
      if (!Array.isArray(value.ranges)) throw new SyncProtocolError('rec needs ranges')
      if (value.ranges.length > SYNC_MAX_RANGES) throw new SyncLimitError(`a frame carries ${value.ranges.length} ranges, more than ${SYNC_MAX_RANGES}`)
      let ids = 0
      return {
        t: 'rec',
        ranges: value.ranges.map((r: any): WireRange => {
          const range: WireRange = { l: decodeBound(r?.l), u: decodeBound(r?.u) }
          if (r.fp != null) {
            if (typeof r.fp !== 'string' || r.fp.length > 64 || !Number.isSafeInteger(r.n) || r.n < 0) throw new SyncProtocolError('a fingerprint range has fp and n')
            range.fp = r.fp
            range.n = r.n
          } else if (r.ids != null) {
            range.ids = decodeIds(r.ids, SYNC_MAX_IDS - ids)
            ids += range.ids.length
            range.final = r.final === true
          } else {
            throw new SyncProtocolError('a range carries a fingerprint or ids')
          }
          return range
        })
      }
    }
    case 'want':
      return { t: 'want', ids: decodeIds(value.ids, SYNC_TRANSFER_BATCH) }
    case 'items':
      if (!Array.isArray(value.items) || value.items.length > SYNC_TRANSFER_BATCH) throw new SyncLimitError(`items carries at most ${SYNC_TRANSFER_BATCH} versions`)
      if (!value.items.every((i: unknown) => typeof i === 'string' && i.length <= MAX_CREDENTIAL_BYTES)) throw new SyncProtocolError('items are JWS strings within the credential size limit')
      return { t: 'items', items: value.items }
    case 'ack':
      if (!Number.isSafeInteger(value.stored)) throw new SyncProtocolError('ack carries a count')
      return value.full === true ? { t: 'ack', stored: value.stored, full: true } : { t: 'ack', stored: value.stored }
    case 'end':
      return { t: 'end' }
    default:
      throw new SyncProtocolError(`unknown sync frame type ${JSON.stringify(value?.t)?.slice(0, 20)}`)
  }
}
