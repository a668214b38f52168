/**
 * Limits checked on raw JSON text before it is parsed: a deeply nested document is refused
 * without building it.
 */
import { NestingTooDeepError } from './errors.ts'

/** Throws NestingTooDeepError if the JSON text nests arrays/objects deeper than `max`. */
export function assertJsonDepth (text: string, max: number, what: string): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw new NestingTooDeepError(`${what} nests JSON deeper than ${max} levels`)
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
}
