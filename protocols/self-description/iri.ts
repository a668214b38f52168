/**
 * Whether a string is an absolute IRI (RFC 3987), judged as Oxigraph judges it: Oxigraph parses
 * every credential gxcat's own reader leaves to it, and silently drops a node or triple whose IRI
 * it refuses (JSON-LD says to), so whatever gxcat vouches for must be what Oxigraph takes. A
 * pattern clears the common IRIs at little cost; one it is unsure of goes to Oxigraph's own IRI
 * parser (oxiri, through `namedNode`), about 4 µs.
 */
import oxigraph from 'oxigraph'

/**
 * The IRIs the pattern vouches for: a scheme and RFC 3987 characters, percent escapes well
 * formed, one fragment, an authority without user information or IP literal and with a numeric
 * port.
 */
const IRI_SHAPE = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2}|[\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF])*$/
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/
const PLAIN_AUTHORITY = /^[^:]*(?::\d*)?$/

/** Whether the pattern alone vouches for `value` (false: unsure, not necessarily invalid). */
export function isPlainIri (value: string): boolean {
  if (!IRI_SHAPE.test(value) || value.indexOf('#') !== value.lastIndexOf('#')) return false
  const authority = AUTHORITY.exec(value)?.[1]
  return authority == null || (!authority.includes('@') && PLAIN_AUTHORITY.test(authority))
}

/** Why `value` is not an absolute IRI; undefined when it is one. */
export function iriProblem (value: string): string | undefined {
  if (isPlainIri(value)) return undefined
  try {
    oxigraph.namedNode(value)
    return undefined
  } catch (err: any) {
    return String(err?.message ?? err)
  }
}

/**
 * Characters that no IRI holds anywhere (RFC 3987: controls, space, `<>"{}|\^` and backquote, the
 * noncharacters U+FFFE and U+FFFF, lone surrogates): a property name or type with one cannot
 * become an IRI, whatever context expands it.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEVER_IN_AN_IRI = /[\u0000-\u0020<>"{}|\\^`\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A character of `value` that no IRI may hold, if any. */
export function characterNeverInIri (value: string): string | undefined {
  return NEVER_IN_AN_IRI.exec(value)?.[0]
}
