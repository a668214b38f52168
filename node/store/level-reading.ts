/**
 * Reading level quickly at a store's open: iterators a thousand items at a time, and the first
 * fields of a head record without parsing it whole; and reads whose failures are StoreErrors.
 */
import { StoreError } from '../errors.ts'
import type { MemoryHead } from './records.ts'

/**
 * Every item of a level iterator, read a thousand at a time (a promise per item costs a third
 * more at open), the next thousand read while this thread handles the last.
 */
export async function inBatches<T> (iterator: { nextv: (size: number) => Promise<T[]>, close: () => Promise<void> }, fn: (item: T) => void): Promise<void> {
  let next: Promise<T[]> | undefined
  try {
    next = iterator.nextv(1000)
    for (;;) {
      const items = await next
      next = undefined
      if (items.length === 0) return
      next = iterator.nextv(1000)
      for (const item of items) fn(item)
    }
  } finally {
    // a read still under way (fn threw) settles before the iterator closes
    await next?.catch(() => {})
    await iterator.close()
  }
}

/**
 * The first fields of a head record as the store writes it (the JSON of `{ cid, validFrom, seq,
 * … }`; a CID and an RFC 3339 date need no escapes): what a store that reads its posting lists
 * back needs of each head at open. Any other spelling is parsed whole.
 */
const HEAD_FIELDS = /^\{"cid":"([^"\\]*)","validFrom":"([^"\\]*)","seq":(\d+)[,}]/

/** A head record's first fields (HEAD_FIELDS), or undefined where it is spelled otherwise. */
export function firstFieldsOf (text: string): MemoryHead | undefined {
  const fields = HEAD_FIELDS.exec(text)
  return fields == null ? undefined : { cid: fields[1], validFrom: fields[2], seq: Number(fields[3]) }
}

/** A read of the store whose failure, whatever level threw, is a StoreError. */
export function guard<A extends unknown[], R> (fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args)
    } catch (err: any) {
      if (err.name === 'StoreError') throw err
      throw new StoreError(`the store cannot be read: ${err.code ?? err.message}`)
    }
  }
}
