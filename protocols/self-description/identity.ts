/**
 * Identity: a version is the CIDv1 (raw, sha2-256) of its exact JWS bytes; an entry is
 * (issuer DID, credentialSubject.id), named by the CID of that pair. Versions of one entry
 * are totally ordered by validFrom, then CID.
 */
import { hash } from 'node:crypto'
import { base32 } from 'multiformats/bases/base32'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

/** The sha2-256 digest of a version's JWS (or of any text), UTF-8 encoded. */
export function versionDigest (jws: string | Uint8Array): Uint8Array {
  // one-shot: no Hash object, and no algorithm looked up in OpenSSL per call
  return hash('sha256', jws, 'buffer')
}

/** The CID of a version: CIDv1, raw codec, sha2-256 of the JWS bytes. */
export function versionCid (jws: string | Uint8Array): CID {
  return CID.createV1(raw.code, createDigest(sha256.code, versionDigest(jws)))
}

/** What every CIDv1 of a raw sha2-256 digest starts with: version, codec, hash code, digest length. */
const RAW_SHA256_PREFIX = CID.createV1(raw.code, createDigest(sha256.code, new Uint8Array(32))).bytes.subarray(0, 4)

/**
 * The CIDv1 (raw, sha2-256) of a digest as text, the same as `CID.toString()` gives (base32),
 * spelled out directly: on the ingest path, where a version's and an entry's CIDs are written
 * for each version, the CID object costs ten times the encoding.
 */
export function cidTextOfDigest (digest: Uint8Array): string {
  const bytes = new Uint8Array(RAW_SHA256_PREFIX.length + digest.length)
  bytes.set(RAW_SHA256_PREFIX)
  bytes.set(digest, RAW_SHA256_PREFIX.length)
  return base32.encode(bytes)
}

/** A version's CID as text: `versionCid(jws).toString()`, without the CID object. */
export function versionCidText (jws: string | Uint8Array): string {
  return cidTextOfDigest(versionDigest(jws))
}

/**
 * The sha2-256 digest a CID's text names, where it is a CIDv1 (raw, sha2-256) in base32 as
 * gxcat writes them; otherwise whatever digest `CID.parse` reads from it.
 */
export function digestOfCidText (cid: string): Uint8Array {
  if (cid.length === 59 && cid.startsWith('b')) {
    const bytes = base32.decode(cid)
    if (bytes.length === 36 && RAW_SHA256_PREFIX.every((byte, i) => bytes[i] === byte)) return bytes.subarray(4)
  }
  return CID.parse(cid).multihash.digest
}

/** The id of an entry: the CID of `issuer \n subject`. Also the DHT key of its latest version. */
export function entryId (issuer: string, subject: string): string {
  return versionCidText(`${issuer}\n${subject}`)
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
