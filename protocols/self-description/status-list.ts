/**
 * W3C Bitstring Status List (VC 2.0's way to revoke and suspend): a credential's
 * `credentialStatus` of type `BitstringStatusListEntry` points at a bit of a status-list
 * credential published by its issuer. The list is fetched through the resolver (same outbound
 * rules as DID documents), must be a VC-JWT signed by the same issuer, and is reused until its
 * `validUntil` or what its server's Cache-Control allows, whichever comes first.
 *
 * Written here rather than taken from a library: the npm packages for status lists
 * (`@digitalbazaar/vc-bitstring-status-list`) verify Data Integrity proofs through a JSON-LD
 * document loader, not VC-JOSE, and decoding a bitstring is a gunzip and a bit test.
 */
import { gunzipSync } from 'node:zlib'
import {
  MAX_CREDENTIAL_BYTES, STATUS_LIST_CACHE_TTL_MS, STATUS_LIST_MAX_BITSTRING_BYTES
} from '../constants.ts'
import { issuerOf } from './credential.ts'
import { CredentialRevokedError, CredentialSuspendedError, StatusListError } from './errors.ts'
import { decodeJws, verifySignature } from './jws.ts'
import type { AbortOptions, DidResolver } from './did-resolver.ts'

/** One `BitstringStatusListEntry` of a credential, as gxcat keeps it with the stored version. */
export interface StatusEntry {
  purpose: 'revocation' | 'suspension'
  index: number
  list: string
}

export type CredentialStatus = 'active' | 'revoked' | 'suspended'

export interface StatusChecker {
  /** Throws CredentialRevokedError, CredentialSuspendedError or StatusListError. */
  assertActive (credential: { issuer: string, statusEntries?: StatusEntry[] }, options?: AbortOptions & { now?: number }): Promise<void>
  /** The status the lists give now; throws StatusListError when a list cannot be used. */
  statusOf (credential: { issuer: string, statusEntries?: StatusEntry[] }, options?: AbortOptions & { now?: number }): Promise<CredentialStatus>
}

/** The status-list entries of a credential that gxcat honours; malformed ones are refused. */
export function readStatusEntries (credential: Record<string, any>): StatusEntry[] | undefined {
  const listed = ([] as any[]).concat(credential.credentialStatus ?? [])
  const entries: StatusEntry[] = []
  for (const entry of listed) {
    if (entry == null || typeof entry !== 'object') throw new StatusListError('credentialStatus entries are objects')
    const types = ([] as unknown[]).concat(entry.type ?? [])
    if (!types.includes('BitstringStatusListEntry')) continue
    if (entry.statusPurpose !== 'revocation' && entry.statusPurpose !== 'suspension') continue // message, refresh: nothing to enforce
    const index = typeof entry.statusListIndex === 'string' && /^\d{1,10}$/.test(entry.statusListIndex) ? Number(entry.statusListIndex) : typeof entry.statusListIndex === 'number' ? entry.statusListIndex : NaN
    if (!Number.isSafeInteger(index) || index < 0) throw new StatusListError(`statusListIndex ${JSON.stringify(entry.statusListIndex)} is not a non-negative integer`)
    if (typeof entry.statusListCredential !== 'string') throw new StatusListError('a BitstringStatusListEntry needs a statusListCredential URL')
    if (entry.statusSize != null && entry.statusSize !== 1 && entry.statusSize !== '1') throw new StatusListError(`statusSize ${String(entry.statusSize)} is not supported (1 bit per credential)`)
    entries.push({ purpose: entry.statusPurpose, index, list: entry.statusListCredential })
  }
  return entries.length > 0 ? entries : undefined
}

interface VerifiedList {
  issuer: string
  purpose: string
  bits: Uint8Array
  expires: number
}

export function createStatusChecker (init: { resolver: DidResolver }): StatusChecker {
  const lists = new Map<string, { expires: number, value: Promise<VerifiedList> }>()

  async function load (url: string, options: AbortOptions & { now?: number }): Promise<VerifiedList> {
    const { text, maxAgeMs } = await init.resolver.fetchStatusList(url, options)
    const body = text.trim()
    if (body.startsWith('{')) throw new StatusListError(`the status list ${url} is unsigned JSON; gxcat takes status lists secured as VC-JWT`)
    let decoded
    try {
      decoded = decodeJws(body, MAX_CREDENTIAL_BYTES, `the status list ${url}`)
    } catch (err: any) {
      throw new StatusListError(`the status list ${url} is not a usable VC-JWT: ${err.name}: ${err.message}`)
    }
    const payload = decoded.payload
    const issuer = issuerOf(payload)
    if (issuer == null) throw new StatusListError(`the status list ${url} names no issuer`)
    if (decoded.header.kid.split('#')[0] !== issuer) throw new StatusListError(`the status list ${url} is signed with ${decoded.header.kid}, not a key of its issuer ${issuer}`)
    try {
      await verifySignature(decoded, init.resolver, options)
    } catch (err: any) {
      throw new StatusListError(`the status list ${url} does not verify: ${err.name}: ${err.message}`)
    }
    const subject = payload.credentialSubject
    const types = ([] as unknown[]).concat(subject?.type ?? [])
    if (!types.includes('BitstringStatusList') || typeof subject?.encodedList !== 'string') throw new StatusListError(`the status list ${url} is not a BitstringStatusList with an encodedList`)
    const now = options.now ?? Date.now()
    const validUntil = typeof payload.validUntil === 'string' ? Date.parse(payload.validUntil) : NaN
    if (!Number.isNaN(validUntil) && validUntil < now) throw new StatusListError(`the status list ${url} expired at ${String(payload.validUntil)}`)
    const bits = decodeBitstring(subject.encodedList, url)
    const ttl = Math.min(maxAgeMs ?? STATUS_LIST_CACHE_TTL_MS, STATUS_LIST_CACHE_TTL_MS)
    return { issuer, purpose: String(subject.statusPurpose ?? ''), bits, expires: Math.min(Number.isNaN(validUntil) ? Infinity : validUntil, Date.now() + ttl) }
  }

  async function list (url: string, options: AbortOptions & { now?: number }): Promise<VerifiedList> {
    const hit = lists.get(url)
    if (hit != null && hit.expires > Date.now()) return hit.value
    const entry = { expires: Infinity, value: load(url, options) }
    lists.set(url, entry)
    entry.value.then(v => { entry.expires = v.expires }, () => { if (lists.get(url) === entry) lists.delete(url) })
    while (lists.size > 1024) lists.delete(lists.keys().next().value as string)
    return entry.value
  }

  async function statusOf (credential: { issuer: string, statusEntries?: StatusEntry[] }, options: AbortOptions & { now?: number } = {}): Promise<CredentialStatus> {
    let status: CredentialStatus = 'active'
    for (const entry of credential.statusEntries ?? []) {
      const verified = await list(entry.list, options)
      if (verified.issuer !== credential.issuer) throw new StatusListError(`the status list ${entry.list} is issued by ${verified.issuer}, not by the credential's issuer ${credential.issuer}`)
      if (verified.purpose !== '' && verified.purpose !== entry.purpose) throw new StatusListError(`the status list ${entry.list} is for ${verified.purpose}, the entry for ${entry.purpose}`)
      if (entry.index >= verified.bits.length * 8) throw new StatusListError(`statusListIndex ${entry.index} is beyond the ${verified.bits.length * 8} entries of ${entry.list}`)
      const set = (verified.bits[entry.index >> 3] & (0x80 >> (entry.index & 7))) !== 0
      if (set && entry.purpose === 'revocation') return 'revoked'
      if (set) status = 'suspended'
    }
    return status
  }

  return {
    statusOf,
    async assertActive (credential, options = {}) {
      const status = await statusOf(credential, options)
      if (status === 'revoked') throw new CredentialRevokedError(`the issuer ${credential.issuer} revoked this credential in its status list`)
      if (status === 'suspended') throw new CredentialSuspendedError(`the issuer ${credential.issuer} suspended this credential in its status list`)
    }
  }
}

/** Multibase base64url (`u…`, or bare base64url as older drafts wrote it) of a GZIP'd bitstring. */
export function decodeBitstring (encoded: string, url: string): Uint8Array {
  const text = encoded.startsWith('u') ? encoded.slice(1) : encoded
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw new StatusListError(`the encodedList of ${url} is not multibase base64url`)
  try {
    return gunzipSync(Buffer.from(text, 'base64url'), { maxOutputLength: STATUS_LIST_MAX_BITSTRING_BYTES })
  } catch (err: any) {
    throw new StatusListError(`the encodedList of ${url} is not a GZIP-compressed bitstring of at most ${STATUS_LIST_MAX_BITSTRING_BYTES} bytes: ${err.code ?? err.message}`)
  }
}
