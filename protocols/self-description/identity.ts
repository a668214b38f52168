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
