/**
 * The bytes a directory's files take, all of them below it: what a node's data directory costs
 * on disk, beside the JWS bytes it holds.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

export async function directoryBytes (dir: string): Promise<number> {
  let bytes = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    bytes += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size
  }
  return bytes
}
