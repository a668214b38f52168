/**
 * What gxcat keeps in its Kademlia DHT: (a) value records /gxcat/<entry id> whose value is
 * the entry's latest JWS (or its revocation), checked by a validator that verifies the
 * signature and that the record belongs under its key, and chosen by a selector that picks
 * the newest version (a revocation beats every version); (b) index terms (type, issuer,
 * keyword) as provider records of the CID of the term, so a node can find peers that hold
 * entries it lacks.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { DHT_NAMESPACE, REVOCATION_TYPE } from '../constants.ts'
import { compareVersions, decodeJws, isRevocationJws, mediaTypeOf, payloadOfVerifiedJws, verifyCredential, verifyRevocation, type DidResolver, type ShapesValidator, type VerifiedCredential } from '../self-description/index.ts'
import { versionCidText } from '../self-description/identity.ts'

export class InvalidDhtRecordError extends Error {
  static name = 'InvalidDhtRecordError'
  name = 'InvalidDhtRecordError'
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const PREFIX = `/${DHT_NAMESPACE}/`

export function entryRecordKey (entry: string): Uint8Array {
  return encoder.encode(PREFIX + entry)
}

export function entryOfRecordKey (key: Uint8Array): string {
  const text = decoder.decode(key)
  if (!text.startsWith(PREFIX) || text.length === PREFIX.length || text.length > PREFIX.length + 128) throw new InvalidDhtRecordError(`"${text.slice(0, 80)}" is not a gxcat entry key`)
  return text.slice(PREFIX.length)
}

export interface EntryRecordInit {
  resolver: DidResolver
  /** DIDs allowed to revoke entries of any issuer */
  revokers?: readonly string[]
  /**
   * Whether this node holds the version with this CID as the current version of that entry
   * (verified as it was stored, not revoked): its record needs no second verification, only a
   * look at its validUntil. Each put reaches the twenty nodes closest to its key, most of which
   * hold the version by gossip already, and each would otherwise check its signature and shapes
   * again.
   */
  knownVersion?: (cid: string, entry: string) => boolean
  /** where the official shapes of a record run (a node's pool of worker threads). @default in this thread */
  shapes?: ShapesValidator
}

/** kad-dht ValidateFn for the gxcat namespace: throws unless the record is a valid JWS of that entry. */
export function createEntryRecordValidator (init: EntryRecordInit): (key: Uint8Array, value: Uint8Array) => Promise<void> {
  return async (key, value) => {
    const entry = entryOfRecordKey(key)
    const jws = decoder.decode(value)
    try {
      const revocation = isRevocationJws(jws)
      if (!revocation && init.knownVersion?.(versionCidText(jws), entry) === true) {
        // an expired one is verified, and refused, as before
        const { validUntil } = payloadOfVerifiedJws(jws)
        if (typeof validUntil !== 'string' || !(Date.parse(validUntil) < Date.now())) return
      }
      const verified = revocation
        ? await verifyRevocation(jws, { resolver: init.resolver, revokers: init.revokers })
        : await verifyCredential(jws, { resolver: init.resolver, shapes: init.shapes })
      if (verified.entry !== entry) throw new InvalidDhtRecordError(`the record under ${entry} is for entry ${verified.entry}`)
    } catch (err: any) {
      if (err.name === 'InvalidDhtRecordError') throw err
      throw new InvalidDhtRecordError(`invalid record under ${entry}: ${err.name}: ${err.message}`)
    }
  }
}

/** kad-dht SelectFn: the index of the best record (a revocation, else the newest version). */
export function selectEntryRecord (_key: Uint8Array, records: Uint8Array[]): number {
  let best = -1
  let bestOrder: { validFrom: string, cid: string, revoked: boolean } | undefined
  records.forEach((record, i) => {
    const jws = decoder.decode(record)
    let order: { validFrom: string, cid: string, revoked: boolean }
    try {
      const { header, payload } = decodeJws(jws, Number.MAX_SAFE_INTEGER, 'the record')
      const revoked = mediaTypeOf(header.typ) === REVOCATION_TYPE
      order = { validFrom: String(revoked ? payload.revokedAt : payload.validFrom), cid: versionCidText(jws), revoked }
    } catch {
      return
    }
    if (bestOrder == null ||
      (order.revoked && !bestOrder.revoked) ||
      (order.revoked === bestOrder.revoked && compareVersions(order, bestOrder) > 0)) {
      best = i
      bestOrder = order
    }
  })
  return Math.max(best, 0)
}

export type IndexTermKind = 'type' | 'issuer' | 'keyword'

/** The CID under which peers holding entries with this term are provided. */
export function indexTermCid (kind: IndexTermKind, value: string): CID {
  return CID.createV1(raw.code, sha256.digest(encoder.encode(`gxcat:${kind}:${value}`)) as Awaited<ReturnType<typeof sha256.digest>>)
}

/** The index terms a version is provided under: its types, its issuer, and up to 8 of its keywords (lower-case). */
export function indexTermsOf (verified: Pick<VerifiedCredential, 'credential' | 'types' | 'issuer'>): Array<[IndexTermKind, string]> {
  const subject = verified.credential.credentialSubject
  const keywords = ([] as unknown[]).concat(subject['gx:keyword'] ?? subject.keyword ?? []).filter((k): k is string => typeof k === 'string').slice(0, 8)
  return [
    ...verified.types.map(t => ['type', t] as [IndexTermKind, string]),
    ['issuer', verified.issuer],
    ...keywords.map(k => ['keyword', k.toLowerCase()] as [IndexTermKind, string])
  ]
}
