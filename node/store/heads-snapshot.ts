/**
 * Every entry's head as the store closes, written beside its posting lists and read back at the
 * next open in place of every head record: the records carry each head's index terms (most of
 * their bytes), which a store that reads its lists back does not need. One line per head,
 * `entry TAB cid TAB validFrom TAB seq`: a CID and an RFC 3339 date hold neither tabs nor
 * newlines. Read back, 300,000 heads take about a third of a second; their records, two.
 */
import type { MemoryHead } from './records.ts'

export function serializeHeads (heads: Iterable<[string, MemoryHead]>): string {
  const lines: string[] = []
  for (const [entry, { cid, validFrom, seq }] of heads) lines.push(`${entry}\t${cid}\t${validFrom}\t${seq}`)
  return lines.join('\n')
}

/** The heads of `serializeHeads`, or undefined for text it did not write (then the records are read). */
export function parseHeads (text: string): Array<[string, MemoryHead]> | undefined {
  const heads: Array<[string, MemoryHead]> = []
  let at = 0
  while (at < text.length) {
    let end = text.indexOf('\n', at)
    if (end < 0) end = text.length
    const cidAt = text.indexOf('\t', at) + 1
    const validFromAt = cidAt > 0 && cidAt < end ? text.indexOf('\t', cidAt) + 1 : 0
    const seqAt = validFromAt > 0 && validFromAt < end ? text.indexOf('\t', validFromAt) + 1 : 0
    if (seqAt <= 0 || seqAt >= end || text.lastIndexOf('\t', end - 1) !== seqAt - 1) return undefined
    const seq = Number(text.slice(seqAt, end))
    if (!Number.isSafeInteger(seq) || seq < 0 || cidAt - 1 === at) return undefined
    heads.push([text.slice(at, cidAt - 1), { cid: text.slice(cidAt, validFromAt - 1), validFrom: text.slice(validFromAt, seqAt - 1), seq }])
    at = end + 1
  }
  return heads
}
