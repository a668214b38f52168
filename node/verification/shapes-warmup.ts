/**
 * When the shape workers parse the official shapes (about a second of a core each): at once,
 * unless a large RDF index is to be rebuilt at start, so that the two do not share the cores.
 * `gxcat start` asks before it loads the rest of the node (libp2p, the store, HTTP), so that a
 * node is ready to check what arrives about when its API answers.
 */
import { join } from 'node:path'
import { SHAPES_AFTER_REBUILD_ENTRIES, STORE_MARK_FILE } from '../constants.ts'
import { createFileMark } from '../store/store-mark.ts'
import { sharedShapesPool } from './shapes-pool.ts'

/** Whether the shapes are parsed at once, for a store that holds `stored` heads. */
export function parsesShapesAtOnce (stored: number, sparql: boolean): boolean {
  return !sparql || stored < SHAPES_AFTER_REBUILD_ENTRIES
}

/** The heads a data directory's store held when it last wrote its mark (0 if none or unreadable). */
export function storedHeads (dataDir: string): number {
  try {
    return createFileMark(join(dataDir, STORE_MARK_FILE)).read()?.heads ?? 0
  } catch {
    // a damaged mark is reported as the store opens
    return 0
  }
}

/** Starts the process's shape workers now, where the node that follows will want them at once. */
export function warmShapesEarly (dataDir: string | undefined, workers: number | undefined): void {
  if (parsesShapesAtOnce(dataDir == null ? 0 : storedHeads(dataDir), true)) sharedShapesPool(workers).warm()
}
