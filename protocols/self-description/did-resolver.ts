/**
 * Resolves the key named by a `kid` (a DID URL) to a public JWK. did:key is decoded locally;
 * did:web is fetched over HTTPS through a caching resolver with origin overrides
 * (`HOST=URL`: a fetch of https://HOST/path goes to URL/path), for tests and air-gapped sites.
 */
import { importJWK, type JWK } from 'jose'
import {
  DID_WEB_CACHE_ENTRIES, DID_WEB_CACHE_TTL_MS, DID_WEB_MAX_DOCUMENT_BYTES, DID_WEB_TIMEOUT_MS
} from '../constants.ts'
import { DidResolutionError, KeyNotFoundError } from './errors.ts'
import { didOf, jwkFromDidKey } from './keys.ts'

export interface AbortOptions {
  signal?: AbortSignal
}

export interface ResolvedKey {
  kid: string
  did: string
  jwk: JWK
}

export interface DidResolver {
  /** The public key a DID URL names; throws KeyNotFoundError or DidResolutionError. */
  resolveKey (kid: string, options?: AbortOptions): Promise<ResolvedKey>
  /** The key imported for one algorithm, cached: verification of many credentials by one issuer imports once. */
  importKey (kid: string, alg: string, options?: AbortOptions): Promise<{ key: ResolvedKey, cryptoKey: CryptoKey | Uint8Array }>
}

export interface DidResolverInit {
  /** `HOST=URL` pairs, or a map from host (with port, if any) to base URL */
  originOverrides?: string[] | Record<string, string>
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
  /** @default 10 s */
  timeoutMs?: number
  /** @default 1024 */
  cacheEntries?: number
  /** Cache lifetime of a DID document when the server sends no max-age. @default 10 min */
  cacheTtlMs?: number
}

interface CachedDocument {
  expires: number
  document: Promise<DidDocument>
}

interface DidDocument {
  id?: string
  verificationMethod?: Array<{ id?: string, controller?: string, publicKeyJwk?: JWK }>
}

export function parseOriginOverrides (pairs: string[] | Record<string, string> = []): Map<string, string> {
  const map = new Map<string, string>()
  const entries = Array.isArray(pairs)
    ? pairs.map(pair => {
      const eq = pair.indexOf('=')
      if (eq <= 0) throw new DidResolutionError(`an origin override is HOST=URL, not "${pair}"`)
      return [pair.slice(0, eq), pair.slice(eq + 1)]
    })
    : Object.entries(pairs)
  for (const [host, url] of entries) {
    try {
      new URL(url) // eslint-disable-line no-new
    } catch {
      throw new DidResolutionError(`origin override for ${host} is not a URL: "${url}"`)
    }
    map.set(host.toLowerCase(), url.replace(/\/+$/, ''))
  }
  return map
}

/** The HTTPS URL of a did:web document (did:web:host%3Aport:a:b → https://host:port/a/b/did.json). */
export function didWebUrl (did: string): string {
  const parts = did.slice('did:web:'.length).split(':')
  if (parts[0] === '' || parts.some(p => p === '')) throw new DidResolutionError(`${did} is not a valid did:web`)
  const host = decodeURIComponent(parts[0])
  if (/[/?#@\s]/.test(host)) throw new DidResolutionError(`${did} names an invalid host "${host}"`)
  const path = parts.length === 1 ? '.well-known' : parts.slice(1).map(decodeURIComponent).join('/')
  return `https://${host}/${path}/did.json`
}

export function createDidResolver (init: DidResolverInit = {}): DidResolver {
  const overrides = parseOriginOverrides(init.originOverrides)
  const fetchFn = init.fetch ?? globalThis.fetch
  const timeoutMs = init.timeoutMs ?? DID_WEB_TIMEOUT_MS
  const cacheEntries = init.cacheEntries ?? DID_WEB_CACHE_ENTRIES
  const cacheTtlMs = init.cacheTtlMs ?? DID_WEB_CACHE_TTL_MS
  const documents = new Map<string, CachedDocument>()
  const imported = new Map<string, Promise<{ key: ResolvedKey, cryptoKey: CryptoKey | Uint8Array }>>()

  function applyOverride (url: string): string {
    const parsed = new URL(url)
    const base = overrides.get(parsed.host.toLowerCase())
    return base == null ? url : base + parsed.pathname + parsed.search
  }

  async function download (did: string, options: AbortOptions): Promise<{ document: DidDocument, maxAgeMs?: number }> {
    const url = applyOverride(didWebUrl(did))
    const signal = options.signal == null ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
    let response: Response
    try {
      response = await fetchFn(url, { signal, redirect: 'error', headers: { accept: 'application/did+json, application/json' } })
    } catch (err: any) {
      throw new DidResolutionError(`cannot fetch the DID document of ${did} from ${url}: ${err.cause?.message ?? err.message}`)
    }
    if (!response.ok) throw new DidResolutionError(`the DID document of ${did} at ${url} answered HTTP ${response.status}`)
    const declared = Number(response.headers.get('content-length') ?? 0)
    if (declared > DID_WEB_MAX_DOCUMENT_BYTES) throw new DidResolutionError(`the DID document of ${did} is ${declared} bytes, more than ${DID_WEB_MAX_DOCUMENT_BYTES}`)
    const text = await response.text()
    if (text.length > DID_WEB_MAX_DOCUMENT_BYTES) throw new DidResolutionError(`the DID document of ${did} is more than ${DID_WEB_MAX_DOCUMENT_BYTES} bytes`)
    let document: DidDocument
    try {
      document = JSON.parse(text)
    } catch {
      throw new DidResolutionError(`the DID document of ${did} at ${url} is not JSON`)
    }
    if (document == null || typeof document !== 'object') throw new DidResolutionError(`the DID document of ${did} is not a JSON object`)
    if (document.id != null && document.id !== did) throw new DidResolutionError(`the DID document at ${url} is for ${document.id}, not ${did}`)
    const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')
    const noStore = /no-store|no-cache/.test(response.headers.get('cache-control') ?? '')
    return { document, maxAgeMs: noStore ? 0 : maxAge != null ? Number(maxAge[1]) * 1000 : undefined }
  }

  async function resolveDocument (did: string, options: AbortOptions): Promise<DidDocument> {
    const now = Date.now()
    const cached = documents.get(did)
    if (cached != null && cached.expires > now) return cached.document
    const entry: CachedDocument = { expires: now + cacheTtlMs, document: Promise.resolve({}) }
    entry.document = download(did, options).then(({ document, maxAgeMs }) => {
      if (maxAgeMs != null) entry.expires = Date.now() + maxAgeMs
      return document
    }, err => {
      documents.delete(did)
      throw err
    })
    documents.set(did, entry)
    while (documents.size > cacheEntries) documents.delete(documents.keys().next().value as string)
    return entry.document
  }

  async function resolveKey (kid: string, options: AbortOptions = {}): Promise<ResolvedKey> {
    const did = didOf(kid)
    if (did.startsWith('did:key:')) {
      const jwk = jwkFromDidKey(did)
      const fragment = kid.slice(did.length + 1)
      if (fragment !== '' && fragment !== did.slice('did:key:'.length)) throw new KeyNotFoundError(`${kid} is not a key of ${did}`)
      return { kid, did, jwk }
    }
    if (did.startsWith('did:web:')) {
      const document = await resolveDocument(did, options)
      const fragment = kid.slice(did.length)
      const method = document.verificationMethod?.find(m => m?.id === kid || (fragment !== '' && m?.id === fragment))
      if (method == null) throw new KeyNotFoundError(`the DID document of ${did} has no verification method ${kid}`)
      if (method.publicKeyJwk == null || typeof method.publicKeyJwk !== 'object') throw new KeyNotFoundError(`verification method ${kid} has no publicKeyJwk`)
      if ('d' in method.publicKeyJwk) throw new KeyNotFoundError(`verification method ${kid} publishes a private key`)
      return { kid, did, jwk: method.publicKeyJwk }
    }
    throw new DidResolutionError(`unsupported DID method in ${kid} (did:key and did:web are supported)`)
  }

  async function importKey (kid: string, alg: string, options: AbortOptions = {}): Promise<{ key: ResolvedKey, cryptoKey: CryptoKey | Uint8Array }> {
    const cacheKey = `${alg} ${kid}`
    let entry = imported.get(cacheKey)
    // did:web keys follow the document cache; did:key keys never change
    if (entry == null || !kid.startsWith('did:key:')) {
      entry = resolveKey(kid, options).then(async key => {
        try {
          return { key, cryptoKey: await importJWK({ ...key.jwk, alg: undefined, use: undefined, key_ops: undefined }, alg) }
        } catch (err: any) {
          throw new KeyNotFoundError(`key ${kid} cannot be used with ${alg}: ${err.message}`)
        }
      })
      entry.catch(() => imported.delete(cacheKey))
      imported.set(cacheKey, entry)
      while (imported.size > cacheEntries) imported.delete(imported.keys().next().value as string)
    }
    return entry
  }

  return { resolveKey, importKey }
}
