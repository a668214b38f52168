/**
 * A type filter that names nothing the catalogue knows (a typo, a missing `gx:`, an unknown
 * prefix) would answer an empty list with no word why. Known types are the classes of the
 * bundled Gaia-X vocabularies and every type a current entry has; for another, a hint names the
 * nearest known ones (by edit distance of the local name, fastest-levenshtein).
 */
import { distance } from 'fastest-levenshtein'
import { gaiaxClassNames } from '../../protocols/self-description/vocabulary.ts'
import { typeKeyOfFilter } from './index-terms.ts'

/** at most so many suggestions */
const SUGGESTIONS = 3

let gaiaxClasses: Set<string> | undefined

/** The last segment of a type as written: after `gx:`, `#` or the last `/`. */
function localName (type: string): string {
  return type.replace(/^.*[#/:]/, '')
}

/**
 * Undefined when the type is known; else a sentence saying so, with the nearest known types.
 * `catalogueTypes` (the types of current entries, as indexed) is asked only for a type that is no
 * Gaia-X class.
 */
export function typeHint (type: string, catalogueTypes: () => Iterable<string>): string | undefined {
  gaiaxClasses ??= new Set(gaiaxClassNames().map(name => `gx:${name}`))
  const key = typeKeyOfFilter(type)
  if (gaiaxClasses.has(key)) return undefined
  const present = new Set(catalogueTypes())
  if (present.has(key)) return undefined
  const local = localName(type).toLowerCase()
  const ranked = [...new Set([...gaiaxClasses, ...present])]
    .map(known => ({ known, d: distance(local, localName(known).toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(local.length / 3)))
    .sort((a, b) => a.d - b.d || (a.known < b.known ? -1 : 1))
    .slice(0, SUGGESTIONS)
    .map(({ known }) => known)
  const prefix = /^([A-Za-z][\w.-]*):(?!\/\/)/.exec(type)?.[1]
  const why = prefix != null && prefix !== 'gx' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(type)
    ? `type "${type}" names no known type: "${prefix}:" is no prefix a filter reads (gx:Name for either Gaia-X vocabulary, or a full IRI)`
    : `type "${type}" is no Gaia-X class and no current entry's type`
  return ranked.length > 0 ? `${why}; did you mean ${ranked.join(' or ')}?` : why
}
