/**
 * The store's high-water mark: what it has acknowledged, written outside LevelDB after every
 * batch so that a log that lost its tail (truncated, a torn write, a lost CURRENT file) is
 * noticed at the next open instead of serving a catalogue with entries silently missing.
 * The counts written inside each batch catch a batch lost in the middle; the mark catches
 * the newest batches lost.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
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
}

export function createFileMark (path: string): StoreMark {
  return {
    read () {
      if (!existsSync(path)) return undefined
      const text = readFileSync(path, 'utf8')
      try {
        const state = JSON.parse(text)
        if (Number.isSafeInteger(state.batches)) return state
      } catch {}
      throw new StoreCorruptionError(`the store's mark ${path} is damaged (${JSON.stringify(text.slice(0, 80))}); run gxcat repair`)
    },
    write (state) {
      // write then rename: a crash leaves the old mark or the new one, never half of one
      writeFileSync(`${path}.tmp`, JSON.stringify(state))
      renameSync(`${path}.tmp`, path)
    }
  }
}
