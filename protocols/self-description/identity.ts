/**
 * Identity: a version is the CIDv1 (raw, sha2-256) of its exact JWS bytes; an entry is
 * (issuer DID, credentialSubject.id), named by the CID of that pair. Versions of one entry
 * are totally ordered by validFrom, then CID.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

const encoder = new TextEncoder()

/** The CID of a version: CIDv1, raw codec, sha2-256 of the JWS bytes. */
export function versionCid (jws: string | Uint8Array): CID {
  const bytes = typeof jws === 'string' ? encoder.encode(jws) : jws
  return CID.createV1(raw.code, sha256.digest(bytes) as Awaited<ReturnType<typeof sha256.digest>>)
}

/** The id of an entry: the CID of `issuer \n subject`. Also the DHT key of its latest version. */
export function entryId (issuer: string, subject: string): string {
  return versionCid(`${issuer}\n${subject}`).toString()
}

export interface VersionOrder {
  validFrom: string
  cid: string
}

/** Negative when `a` is older than `b`: later validFrom wins, ties broken by CID. */
export function compareVersions (a: VersionOrder, b: VersionOrder): number {
  const ta = Date.parse(a.validFrom)
  const tb = Date.parse(b.validFrom)
  if (ta !== tb) return ta < tb ? -1 : 1
  return a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0
}

/** RFC 3339 date-time (`2026-01-01T00:00:00Z`, `…T00:00:00.123+01:00`), the only form of dates gxcat takes. */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/

/** Whether a value is an RFC 3339 date-time that names a real instant. */
export function isRfc3339 (value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value))
}

/**
 * Whether an identifier is in Unicode NFC. Ids that differ only in normalisation would be two
 * entries on one node and the same entry for a user: gxcat refuses the non-NFC forms rather than
 * normalising them, so that the id in the signed credential is the id of the entry.
 */
export function isNfc (value: string): boolean {
  return value === value.normalize('NFC')
}
