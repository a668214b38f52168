/**
 * Certificate chains kept once. Every version signed with a `did:web` key that has an x5u chain
 * carries that chain (three PEM certificates, about 2 KB: half of a Gaia-X 2511 version record,
 * and base64 that LevelDB's compression does not shrink), and a key signs many versions: a version
 * record keeps the chain's digest (`chainRef`), the `chains` sub-level the chain, once. Records
 * written before, with the chain inline, are read as they are. A chain no version refers to any
 * more (all pruned) stays: there are as many as issuer keys.
 */
import { createHash } from 'node:crypto'
import { CHAIN_CACHE_ENTRIES } from '../constants.ts'
import type { VersionRecord } from './records.ts'

/** A chain as stored, and as a version read back carries it: the URL and the PEM of each certificate, leaf first. */
export interface StoredChain { url: string, certificates: string[] }

export interface ChainSublevel {
  getMany (keys: string[]): Promise<Array<string | undefined>>
}

export interface Chains {
  /** A chain's digest and JSON text (the same for a checked chain and a stored one); computed once per chain object. */
  refOf (chain: object): { ref: string, text: string }
  /** Whether a chain is written already (by this store, since it opened). */
  has (ref: string): boolean
  /** Chains written in a batch that committed. */
  written (refs: Iterable<string>): void
  /** Records with their chains put back in place of the references; a chain that cannot be found leaves the record without one. */
  resolve<R extends VersionRecord | undefined> (records: R[]): Promise<R[]>
}

export function createChains (sublevel: ChainSublevel): Chains {
  const refs = new WeakMap<object, { ref: string, text: string }>()
  const stored = new Set<string>()
  /** chains read back, by reference, the most recent last */
  const cache = new Map<string, StoredChain>()
  const remember = (ref: string, chain: StoredChain): void => {
    cache.delete(ref)
    cache.set(ref, chain)
    if (cache.size > CHAIN_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
  }
  return {
    refOf (chain) {
      let known = refs.get(chain)
      if (known == null) {
        const text = JSON.stringify(chain)
        known = { ref: createHash('sha256').update(text).digest('base64url'), text }
        refs.set(chain, known)
      }
      return known
    },
    has (ref) {
      return stored.has(ref)
    },
    written (written) {
      for (const ref of written) stored.add(ref)
    },
    async resolve<R extends VersionRecord | undefined> (records: R[]): Promise<R[]> {
      const missing = [...new Set(records.map(r => r?.chainRef).filter((ref): ref is string => ref != null && !cache.has(ref)))]
      if (missing.length > 0) {
        const texts = await sublevel.getMany(missing)
        missing.forEach((ref, i) => {
          const text = texts[i]
          if (text != null) remember(ref, JSON.parse(text))
        })
      }
      return records.map(record => {
        if (record?.chainRef == null) return record
        const { chainRef, ...rest } = record
        const chain = cache.get(chainRef)
        return (chain == null ? rest : { ...rest, chain }) as R
      })
    }
  }
}
