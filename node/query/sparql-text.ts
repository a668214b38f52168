/**
 * SPARQL as people write it to a node: the prefixes of the catalogue's vocabularies are
 * predefined, and a query Oxigraph cannot parse gets one line that says where and what, in
 * place of the parser's list of expected grammar rules.
 *
 * `gx:` reads as the 2511 release (the vocabulary of current Loire credentials), `gxdev:` as the
 * development vocabulary: a SPARQL prefix is one IRI, so a query over both names both (the
 * filters' `type=gx:…` matches either, since they index Gaia-X terms by local name).
 */
import { GX_2511, GX_DEVELOPMENT, VC_VOCABULARY } from '../../protocols/constants.ts'
import { MAX_SPARQL_BYTES } from '../constants.ts'
import { InvalidQueryError, ReadOnlyQueryError } from '../errors.ts'

/** The prefixes a query may use without declaring them. */
export const PREDEFINED_PREFIXES: Readonly<Record<string, string>> = {
  gx: GX_2511,
  gxdev: GX_DEVELOPMENT,
  cred: VC_VOCABULARY,
  schema: 'https://schema.org/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
  dcat: 'http://www.w3.org/ns/dcat#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  odrl: 'http://www.w3.org/ns/odrl/2/'
}

const DECLARED = /\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:/gi
const PROLOGUE_ITEM = /^\s*(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>|#[^\n]*)/i
const QUERY_FORMS = new Set(['SELECT', 'CONSTRUCT', 'DESCRIBE', 'ASK'])

/** Refuses a query longer than MAX_SPARQL_BYTES. */
export function checkQueryLength (query: string): void {
  if (query.length > MAX_SPARQL_BYTES) throw new InvalidQueryError(`the query is longer than ${MAX_SPARQL_BYTES} bytes`)
}

/** What an update sent to the read-only endpoint is answered. */
export function readOnlyError (): ReadOnlyQueryError {
  return new ReadOnlyQueryError('the SPARQL endpoint is read-only: updates are refused (publish or revoke self-descriptions instead)')
}

/** The format an answer is written in: what the client accepts of those the query's form has (RDF for CONSTRUCT and DESCRIBE, results for SELECT and ASK). */
export function answerFormat (graphForm: boolean, accept = 'application/sparql-results+json'): string {
  if (graphForm) return accept.includes('text/turtle') ? 'text/turtle' : 'application/n-triples'
  if (accept.includes('sparql-results+xml')) return 'application/sparql-results+xml'
  if (accept.includes('text/csv')) return 'text/csv'
  return 'application/sparql-results+json'
}

/** The query with the predefined prefixes it does not declare itself, on one line before its own first line. */
export function withPredefinedPrefixes (query: string): string {
  const declared = new Set([...query.matchAll(DECLARED)].map(m => m[1] ?? ''))
  const prologue = Object.entries(PREDEFINED_PREFIXES).filter(([name]) => !declared.has(name)).map(([name, iri]) => `PREFIX ${name}: <${iri}>`).join(' ')
  return `${prologue}\n${query}`
}

/**
 * What is wrong with a query that Oxigraph refused (`message`, about withPredefinedPrefixes'
 * text), in one line: where (the query's own line and column), the token there, and what would
 * do. Oxigraph's evaluation errors, which carry no position, are kept as they are.
 */
export function sparqlErrorMessage (message: string, query: string): string {
  const position = /^error at (\d+):(\d+): ([\s\S]*)$/.exec(message)
  if (position == null) return message.split('\n')[0]
  // line 1 of the text Oxigraph read is the predefined prologue
  const line = Number(position[1]) - 1
  const column = Number(position[2])
  const where = `line ${line}, column ${column}`
  const lines = query.split('\n')
  const form = queryForm(query)
  if (form != null && !QUERY_FORMS.has(form.word.toUpperCase())) {
    return `SPARQL syntax error at line ${form.line}, column ${form.column}: "${form.word}" is not a query form; a query is SELECT, CONSTRUCT, DESCRIBE or ASK, after any PREFIX and BASE declarations`
  }
  const expected = expectedItems(position[3])
  if (expected.includes('Prefix not found')) {
    const name = prefixedNameBefore(lines[line - 1] ?? '', column - 1)
    if (name != null) {
      const start = column - name.local.length - name.prefix.length - 1
      return `Prefix not found: ${name.prefix} (line ${line}, column ${start}, in "${name.prefix}:${name.local}"); declare it with PREFIX ${name.prefix}: <…>, or use one of the predefined prefixes (${Object.keys(PREDEFINED_PREFIXES).join(', ')})`
    }
    return `Prefix not found (${where}); declare it with PREFIX name: <…>`
  }
  // a rule's own message (an unbound variable in SELECT, …) says more than the grammar
  const sentence = expected.find(item => /^[A-Z][a-z]+ .* /.test(item))
  if (sentence != null) return `SPARQL error at ${where}: ${sentence}`
  const token = tokenAt(lines[line - 1] ?? '', column - 1)
  const near = token == null ? (line >= lines.length ? 'at the end of the query' : 'at the end of the line') : `near "${token}"`
  const words = expected.filter(item => !/^\[|^Prefix not found$/.test(item))
  const hint = words.length === 0 ? '' : `: expected ${words.length === 1 ? '' : 'one of '}${words.slice(0, 12).join(', ')}${words.length > 12 ? ', …' : ''}`
  return `SPARQL syntax error at ${where} ${near}${hint}`
}

/** The alternatives of a parser's "expected one of …": keywords, quoted tokens and rule messages, without character classes. */
function expectedItems (text: string): string[] {
  const list = text.replace(/^expected (one of )?/, '')
  const items: string[] = []
  let depth = 0
  let quoted = false
  let current = ''
  for (let i = 0; i < list.length; i++) {
    const char = list[i]
    if (quoted) {
      current += char
      if (char === '\\') current += list[++i] ?? ''
      else if (char === '\'' || char === '"') quoted = false
      continue
    }
    if (char === '\'' || (char === '"' && depth === 0)) quoted = true
    if (char === '[') depth++
    if (char === ']') depth--
    if (char === ',' && depth === 0) {
      items.push(current.trim())
      current = ''
    } else current += char
  }
  items.push(current.trim())
  return items.filter(item => item !== '' && !item.startsWith('['))
}

/** The first word after the prologue (PREFIX, BASE, comments), and where it is. */
function queryForm (query: string): { word: string, line: number, column: number } | undefined {
  let at = 0
  for (let item = PROLOGUE_ITEM.exec(query); item != null; item = PROLOGUE_ITEM.exec(query.slice(at))) {
    at += item[0].length
  }
  const rest = query.slice(at)
  const word = /^\s*([A-Za-z]+)/.exec(rest)
  if (word == null) return undefined
  const offset = at + rest.indexOf(word[1])
  const before = query.slice(0, offset).split('\n')
  return { word: word[1], line: before.length, column: before[before.length - 1].length + 1 }
}

/** The prefixed name that ends just before index `end` of a line. */
function prefixedNameBefore (line: string, end: number): { prefix: string, local: string } | undefined {
  const match = /([A-Za-z][\w.-]*)?:([\w.%-]*)$/u.exec(line.slice(0, end))
  return match == null ? undefined : { prefix: match[1] ?? '', local: match[2] }
}

/** The token that starts at index `at` of a line (up to 40 characters). */
function tokenAt (line: string, at: number): string | undefined {
  const rest = line.slice(Math.max(0, at)).trimStart()
  if (rest === '') return undefined
  const token = /^(?:[\w:?$.-]+|<[^>\s]*>?|"[^"]*"?|\S)/.exec(rest)?.[0] ?? rest[0]
  return token.length > 40 ? `${token.slice(0, 40)}…` : token
}
