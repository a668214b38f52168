/**
 * Loading the RDF index from the replica: one pass over the active versions in batches, and the
 * one rebuild that runs at a time (a second caller joins it).
 */
import { versionNQuads, type RdfVersion } from './rdf-store.ts'
import type { RdfIndexInit, RebuildOptions, RebuildProgress } from './rdf-index.ts'

export interface RebuildSink {
  send (versions: RdfVersion[]): void
  caughtUp (): Promise<void>
  /** true once what was sent went to a worker since replaced: the pass stops */
  stale (): boolean
}

/** One pass over the source: each batch less the versions removed meanwhile, with its N-Quads, sent; the next read once the sink has caught up. */
export async function loadBatches (source: RdfIndexInit['source'], removed: Set<string>, options: RebuildOptions, sink: RebuildSink): Promise<number> {
  let loaded = 0
  for await (const batch of source?.(options) ?? []) {
    if (sink.stale()) break
    sink.send(batch.filter(v => !removed.has(v.cid)).map(v => ({ ...v, nQuads: v.nQuads ?? versionNQuads(v) })))
    loaded += batch.length
    options.onProgress?.(loaded)
    await sink.caughtUp()
  }
  return loaded
}

/** The rebuild under way, if any: a second caller joins it, and removals are noted while it runs. */
export function oneRebuildAtATime (run: (removed: Set<string>, options: RebuildOptions) => Promise<number>): {
  /** the rebuild under way; its count of versions read moves on as it reads */
  readonly progress: RebuildProgress | undefined
  removing (cid: string): void
  start (options?: RebuildOptions, reason?: string): Promise<number>
  /** resolves when no rebuild runs, whether the last one succeeded or not */
  settled (): Promise<void>
} {
  let current: RebuildProgress & { removed: Set<string> } | undefined
  return {
    get progress () { return current },
    removing (cid) { current?.removed.add(cid) },
    async start (options = {}, reason = 'the SPARQL index is being rebuilt') {
      if (current != null) return await current.done
      const state = { reason, removed: new Set<string>(), done: Promise.resolve(0), loaded: 0 }
      current = state
      state.done = run(state.removed, { ...options, onProgress: loaded => { state.loaded = loaded; options.onProgress?.(loaded) } })
        .finally(() => { if (current === state) current = undefined })
      return await state.done
    },
    async settled () {
      while (current != null) await current.done.catch(() => {})
    }
  }
}
