/**
 * The store's high-water mark: what it has acknowledged, written outside LevelDB after every
 * batch so that a log that lost its tail (truncated, a torn write, a lost CURRENT file) is
 * noticed at the next open instead of serving a catalogue with entries silently missing.
 * The counts written inside each batch catch a batch lost in the middle; the mark catches
 * the newest batches lost.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import { StoreCorruptionError } from '../errors.ts'

/** What the store holds, written with every batch (inside it) and after it (in the mark). */
export interface StoreState {
  /** batches committed since the store was created */
  batches: number
  /** stored versions (heads and the superseded ones kept) */
  versions: number
  /** entries with a head */
  heads: number
  revocations: number
}

export interface StoreMark {
  /** the mark, or undefined where none was ever written */
  read (): StoreState | undefined
  /** records a committed batch; synchronous so that no later batch can overtake it */
  write (state: StoreState): void
  close (): void
}

/** The mark is one fixed-size record rewritten in place: one small write per batch, never a truncated file. */
const MARK_BYTES = 256

export function createFileMark (path: string): StoreMark {
  let fd: number | undefined
  const record = Buffer.alloc(MARK_BYTES)
  return {
    read () {
      if (!existsSync(path)) return undefined
      const text = readFileSync(path, 'utf8').trim()
      try {
        const state = JSON.parse(text)
        if (Number.isSafeInteger(state.batches)) return state
      } catch {}
      throw new StoreCorruptionError(`the store's mark ${path} is damaged (${JSON.stringify(text.slice(0, 80))}); run gxcat repair`)
    },
    write (state) {
      fd ??= openSync(path, existsSync(path) ? 'r+' : 'w')
      record.fill(0x20)
      record.write(JSON.stringify(state))
      writeSync(fd, record, 0, MARK_BYTES, 0)
    },
    close () {
      if (fd != null) closeSync(fd)
      fd = undefined
    }
  }
}
