/**
 * Sync frames, binary (protocol 2): a type byte, then the body. Every count and size is
 * checked against its limit before anything is acted on.
 *
 *   rec   1  count, then per range: header, [lower bound], upper bound, payload
 *              header bits 0–1 mode: 0 fingerprint (16 bytes), 1 ids (count, 32 bytes each),
 *                2 ids in answer to ids or to a list request (the range is settled), 3 list
 *                request (no payload: "send me your ids here")
 *              header bit 2: a lower bound follows; else the range starts where the previous
 *                one ended (the first at the lowest bound)
 *              bound: timestamp as a varint delta from the frame's previous bound (bounds
 *                ascend), then an id prefix: its length (0–32) and bytes
 *   want  2  count, 32-byte ids                         transfer: versions asked for
 *   items 3  count, then per JWS its length and bytes   transfer: the answer to a want
 *   ack   4  stored, flags (bit 0: full, no more offers taken now; the rest is pulled later)
 *   end   5
 *   offer 6  count, 32-byte ids                         transfer: versions the responder lacks;
 *              it pulls those it takes (want), then acks
 *
 * Protocol 3 replaced protocol 2's pushes (items sent unasked) with offers, so that a node that
 * several peers sync with at once (a late joiner) fetches each version once, not once per peer.
 *
 * All integers are unsigned varints. Bounds carry only the id prefix that separates two
 * neighbouring items, and most only a timestamp, as in Negentropy.
 */
import { decode as decodeVarint, encode as encodeVarint, encodingLength } from 'uint8-varint'
import { MAX_CREDENTIAL_BYTES, SYNC_MAX_IDS, SYNC_MAX_RANGES, SYNC_OFFER_BATCH, SYNC_TRANSFER_BATCH } from '../constants.ts'
import { SyncLimitError, SyncProtocolError } from './errors.ts'
import { MIN_BOUND, compareBounds, type Bound } from './sync-set.ts'

export interface WireRange {
  l: Bound
  u: Bound
  /** fingerprint of the sender's items in the range (16 bytes, base64url) */
  fp?: string
  /** all of the sender's ids in the range */
  ids?: Uint8Array[]
  /** an id list sent in answer to an id list or a list request: the range is settled */
  final?: boolean
  /** asks the peer for its ids in the range */
  list?: boolean
}

export type SyncFrame =
  | { t: 'rec', ranges: WireRange[] }
  | { t: 'want', ids: Uint8Array[] }
  | { t: 'items', items: string[] }
  | { t: 'ack', stored: number, full?: boolean }
  | { t: 'end' }
  | { t: 'offer', ids: Uint8Array[] }

const TYPES = { rec: 1, want: 2, items: 3, ack: 4, end: 5, offer: 6 } as const
const MODE_FINGERPRINT = 0
const MODE_IDS = 1
const MODE_FINAL_IDS = 2
const MODE_LIST = 3
const HAS_LOWER = 4
const FINGERPRINT_BYTES = 16
const ID_BYTES = 32

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

class Writer {
  private readonly chunks: Uint8Array[] = []
  private length = 0

  byte (value: number): void { this.bytes(Uint8Array.of(value)) }
  varint (value: number): void { this.bytes(encodeVarint(value)) }
  bytes (value: Uint8Array): void {
    this.chunks.push(value)
    this.length += value.length
  }

  finish (): Uint8Array {
    const out = new Uint8Array(this.length)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }
}

class Reader {
  private readonly buf: Uint8Array
  private offset = 0

  constructor (buf: Uint8Array) {
    this.buf = buf
  }

  get done (): boolean { return this.offset === this.buf.length }

  byte (): number {
    if (this.offset >= this.buf.length) throw new SyncProtocolError('a sync frame ends too early')
    return this.buf[this.offset++]
  }

  varint (): number {
    let value: number
    try {
      value = decodeVarint(this.buf, this.offset)
    } catch {
      throw new SyncProtocolError('a sync frame carries a malformed number')
    }
    if (!Number.isSafeInteger(value)) throw new SyncProtocolError('a sync frame carries a number out of range')
    this.offset += encodingLength(value)
    return value
  }

  bytes (length: number): Uint8Array {
    if (this.offset + length > this.buf.length) throw new SyncProtocolError('a sync frame ends too early')
    const out = new Uint8Array(this.buf.subarray(this.offset, this.offset + length))
    this.offset += length
    return out
  }

  count (what: string, max: number): number {
    const n = this.varint()
    if (n > max) throw new SyncLimitError(`a frame carries ${n} ${what}, more than ${max}`)
    return n
  }

  ids (max: number): Uint8Array[] {
    const n = this.count('ids', max)
    return Array.from({ length: n }, () => this.bytes(ID_BYTES))
  }
}

function writeBound (w: Writer, bound: Bound, previousTs: number): void {
  if (bound.ts < previousTs) throw new SyncProtocolError('bounds in a frame must ascend')
  w.varint(bound.ts - previousTs)
  const id = bound.id ?? new Uint8Array(0)
  w.byte(id.length)
  w.bytes(id)
}

function readBound (r: Reader, previousTs: number): Bound {
  const ts = previousTs + r.varint()
  if (!Number.isSafeInteger(ts)) throw new SyncProtocolError('a bound\'s timestamp is out of range')
  const length = r.byte()
  if (length > ID_BYTES) throw new SyncProtocolError('an id prefix is at most 32 bytes')
  return length === 0 ? { ts } : { ts, id: r.bytes(length) }
}

function writeIds (w: Writer, ids: Uint8Array[]): void {
  w.varint(ids.length)
  for (const id of ids) {
    if (id.length !== ID_BYTES) throw new SyncProtocolError('an id is 32 bytes')
    w.bytes(id)
  }
}

function encodeRanges (w: Writer, ranges: WireRange[]): void {
  w.varint(ranges.length)
  let previous: Bound = MIN_BOUND
  for (const range of ranges) {
    const mode = range.fp != null ? MODE_FINGERPRINT : range.list === true ? MODE_LIST : range.final === true ? MODE_FINAL_IDS : MODE_IDS
    const explicitLower = compareBounds(range.l, previous) !== 0
    w.byte(mode | (explicitLower ? HAS_LOWER : 0))
    if (explicitLower) writeBound(w, range.l, previous.ts)
    writeBound(w, range.u, range.l.ts)
    if (mode === MODE_FINGERPRINT) {
      const fp = Buffer.from(range.fp ?? '', 'base64url')
      if (fp.length !== FINGERPRINT_BYTES) throw new SyncProtocolError('a fingerprint is 16 bytes')
      w.bytes(fp)
    } else if (mode !== MODE_LIST) {
      writeIds(w, range.ids ?? [])
    }
    previous = range.u
  }
}

function decodeRanges (r: Reader): WireRange[] {
  const count = r.count('ranges', SYNC_MAX_RANGES)
  const ranges: WireRange[] = []
  let previous: Bound = MIN_BOUND
  let ids = 0
  for (let i = 0; i < count; i++) {
    const header = r.byte()
    if (header > (HAS_LOWER | MODE_LIST)) throw new SyncProtocolError('a range header with unknown bits')
    const l = (header & HAS_LOWER) !== 0 ? readBound(r, previous.ts) : previous
    if (compareBounds(l, previous) < 0) throw new SyncProtocolError('ranges in a frame must ascend')
    const u = readBound(r, l.ts)
    if (compareBounds(u, l) < 0) throw new SyncProtocolError('a range ends before it starts')
    const range: WireRange = { l, u }
    const mode = header & 3
    if (mode === MODE_FINGERPRINT) {
      range.fp = Buffer.from(r.bytes(FINGERPRINT_BYTES)).toString('base64url')
    } else if (mode === MODE_LIST) {
      range.list = true
    } else {
      range.ids = r.ids(SYNC_MAX_IDS - ids)
      ids += range.ids.length
      if (mode === MODE_FINAL_IDS) range.final = true
    }
    ranges.push(range)
    previous = u
  }
  return ranges
}

export function encodeFrame (frame: SyncFrame): Uint8Array {
  const w = new Writer()
  w.byte(TYPES[frame.t])
  switch (frame.t) {
    case 'rec':
      encodeRanges(w, frame.ranges)
      break
    case 'want':
    case 'offer':
      writeIds(w, frame.ids)
      break
    case 'items':
      w.varint(frame.items.length)
      for (const item of frame.items) {
        const bytes = encoder.encode(item)
        w.varint(bytes.length)
        w.bytes(bytes)
      }
      break
    case 'ack':
      w.varint(frame.stored)
      w.byte(frame.full === true ? 1 : 0)
      break
    case 'end':
      break
  }
  return w.finish()
}

export function decodeFrame (bytes: Uint8Array): SyncFrame {
  const r = new Reader(bytes)
  const type = r.byte()
  let frame: SyncFrame
  switch (type) {
    case TYPES.rec:
      frame = { t: 'rec', ranges: decodeRanges(r) }
      break
    case TYPES.want:
      frame = { t: 'want', ids: r.ids(SYNC_TRANSFER_BATCH) }
      break
    case TYPES.offer:
      frame = { t: 'offer', ids: r.ids(SYNC_OFFER_BATCH) }
      break
    case TYPES.items: {
      const count = r.count('versions', SYNC_TRANSFER_BATCH)
      const items: string[] = []
      for (let i = 0; i < count; i++) {
        const length = r.varint()
        if (length > MAX_CREDENTIAL_BYTES) throw new SyncLimitError(`a version of ${length} bytes is over the credential size limit`)
        try {
          items.push(decoder.decode(r.bytes(length)))
        } catch (err) {
          if (err instanceof SyncProtocolError) throw err
          throw new SyncProtocolError('a version that is not UTF-8')
        }
      }
      frame = { t: 'items', items }
      break
    }
    case TYPES.ack: {
      const stored = r.varint()
      const flags = r.byte()
      if (flags > 1) throw new SyncProtocolError('an ack with unknown flags')
      frame = flags === 1 ? { t: 'ack', stored, full: true } : { t: 'ack', stored }
      break
    }
    case TYPES.end:
      frame = { t: 'end' }
      break
    default:
      throw new SyncProtocolError(`unknown sync frame type ${type}`)
  }
  if (!r.done) throw new SyncProtocolError('a sync frame with bytes after its end')
  return frame
}
