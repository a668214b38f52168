/**
 * The trust lists a node has imported (`gxcat trust import`), kept in its data directory as
 * `trust-lists.json`: each list's entries with where it came from and when it was imported. A
 * list imported again from a file of the same name replaces the one before. The node reads them
 * as it starts; nothing is fetched at run time.
 */
import { createHash } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { readTrustList, type TrustListKind, type TrustListRecord } from '../protocols/self-description/index.ts'
import { ConfigError } from './errors.ts'

export const TRUST_LISTS_FILE = 'trust-lists.json'

export interface ImportedList extends TrustListRecord {
  /** SHA-256 of the file as imported, hex */
  sha256: string
  /** PEM certificates (anchors) or DIDs */
  entries: string[]
}

/** What the imported lists put in force, each kind merged. */
export interface TrustListsInForce {
  anchors: string[]
  complianceIssuers: string[]
  revokedIssuers: string[]
  lists: TrustListRecord[]
}

export async function loadTrustLists (dataDir: string): Promise<ImportedList[]> {
  let text: string
  try {
    text = await readFile(join(dataDir, TRUST_LISTS_FILE), 'utf8')
  } catch (err: any) {
    if (err.code === 'ENOENT') return []
    throw new ConfigError(`cannot read ${join(dataDir, TRUST_LISTS_FILE)}: ${err.code ?? err.message}`)
  }
  try {
    const lists = JSON.parse(text).lists
    if (!Array.isArray(lists)) throw new Error('no lists')
    return lists
  } catch (err: any) {
    throw new ConfigError(`${join(dataDir, TRUST_LISTS_FILE)} is damaged (${err.message}); import the lists again`)
  }
}

/** Reads a list file and keeps it in the data directory, replacing one imported before from a file of that name and kind. */
export async function importTrustList (dataDir: string, file: string, kind?: TrustListKind, now = new Date()): Promise<ImportedList> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    throw new ConfigError(`cannot read ${file}: ${err.code ?? err.message}`)
  }
  const list = readTrustList(bytes.toString('utf8'), { kind, source: file })
  const imported: ImportedList = {
    kind: list.kind,
    source: basename(file),
    format: list.format,
    ...(list.name != null ? { name: list.name } : {}),
    count: list.entries.length,
    importedAt: now.toISOString(),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    entries: list.entries
  }
  const lists = (await loadTrustLists(dataDir)).filter(l => !(l.source === imported.source && l.kind === imported.kind))
  lists.push(imported)
  const path = join(dataDir, TRUST_LISTS_FILE)
  // written whole, then renamed over the old: a crash leaves one or the other, never half
  await writeFile(`${path}.tmp`, JSON.stringify({ lists }, null, 1) + '\n', { mode: 0o600 })
  await rename(`${path}.tmp`, path)
  return imported
}

/** The compliance issuers in force: those configured (`--compliance-issuer`) and those of imported lists. */
export function complianceIssuersInForce (configured: readonly string[], inForce: TrustListsInForce): string[] {
  return [...new Set([...configured, ...inForce.complianceIssuers])]
}

export function trustListsInForce (lists: readonly ImportedList[]): TrustListsInForce {
  const of = (kind: TrustListKind): string[] => [...new Set(lists.filter(l => l.kind === kind).flatMap(l => l.entries))]
  return {
    anchors: of('anchors'),
    complianceIssuers: of('compliance-issuers'),
    revokedIssuers: of('revoked-issuers'),
    lists: lists.map(({ entries: _entries, sha256: _sha, ...record }) => record)
  }
}
