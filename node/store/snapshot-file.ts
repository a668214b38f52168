/**
 * Snapshots a store writes beside LevelDB as it closes (its posting lists, its heads), each
 * behind a header with the store's state then: read back only into that very state, else the
 * store rebuilds what it holds from its records.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import type { StoreState } from './store-mark.ts'

/** the store's state when a snapshot of it was written */
export interface SnapshotHeader { state: StoreState, seq: number }

/** Writes a snapshot whole (a temp file, then renamed); one that cannot be written is removed. */
export async function writeSnapshot (file: string, header: SnapshotHeader, body: () => string): Promise<void> {
  try {
    await writeFile(`${file}.tmp`, `${JSON.stringify(header)}\n${body()}`)
    await rename(`${file}.tmp`, file)
  } catch {
    // without it the next open reads the heads (or rebuilds the lists from them): slower, not wrong
    await rm(file, { force: true }).catch(() => {})
  }
}

/** A snapshot's body, if its header says it belongs to `expected`. */
export async function readSnapshot (file: string, expected: SnapshotHeader): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  const newline = text?.indexOf('\n') ?? -1
  if (text == null || newline < 0) return undefined
  try {
    const { state, seq }: SnapshotHeader = JSON.parse(text.slice(0, newline))
    const same = seq === expected.seq && state.batches === expected.state.batches && state.versions === expected.state.versions &&
      state.heads === expected.state.heads && state.revocations === expected.state.revocations
    return same ? text.slice(newline + 1) : undefined
  } catch {
    return undefined
  }
}
