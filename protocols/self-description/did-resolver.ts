/**
 * Resolves the key named by a `kid` (a DID URL) to a public JWK. did:key is decoded locally;
 * did:web is fetched over HTTPS through a caching resolver with origin overrides
 * (`HOST=URL`: a fetch of https://HOST/path goes to URL/path), for tests and air-gapped sites.
 * A did:web key with `x5u` comes with its certificate chain, fetched the same way and checked
 * (certificate-chain.ts). Fetches of one URL are shared; each has a timeout, so a slow host
 * delays only the credentials of its own issuers.
 */
import { Queue } from '@libp2p/utils'
import type { KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import {
  CERTIFICATE_CHAIN_MAX_BYTES, STATUS_LIST_MAX_BYTES, DID_WEB_CACHE_ENTRIES, DID_WEB_FAILURE_TTL_MS, OUTBOUND_MAX_CONCURRENT, OUTBOUND_MAX_PER_HOST, DID_WEB_CACHE_TTL_MS, DID_WEB_MAX_DOCUMENT_BYTES, DID_WEB_TIMEOUT_MS
} from '../constants.ts'
import { assertLeafKey, parseCertificateChain, type CertificateChain } from './certificate-chain.ts'
import { CertificateChainError, DidResolutionError, KeyNotFoundError, StatusListError } from './errors.ts'
import { didOf, jwkFromDidKey } from './keys.ts'
import { importPublicKey } from './signature.ts'
import { outboundGet, outboundGetWith, type OutboundResponse } from './outbound-fetch.ts'

export interface AbortOptions {
  signal?: AbortSignal
}

export interface ResolvedKey {
  kid: string
  did: string
  jwk: JWK
  /** the checked certificate chain of the key's `x5u`, if it has one (dates are checked at each use) */
  chain?: CertificateChain
}

export interface DidResolver {
  /** The public key a DID URL names; throws KeyNotFoundError or DidResolutionError. */
  resolveKey (kid: string, options?: AbortOptions): Promise<ResolvedKey>
  /** The key imported for one algorithm, cached: verification of many credentials by one issuer imports once. */
  importKey (kid: string, alg: string, options?: AbortOptions): Promise<{ key: ResolvedKey, cryptoKey: KeyObject }>
  /**
   * A status-list credential (W3C Bitstring Status List) under the same outbound rules as DID
   * documents (overrides, HTTPS, timeout, size cap, no redirects), cached as its server says.
   * Every failure is a StatusListError.
   */
  fetchStatusList (url: string, options?: AbortOptions): Promise<{ text: string, maxAgeMs?: number }>
}

export interface DidResolverInit {
  /** `HOST=URL` pairs, or a map from host (with port, if any) to base URL */
  originOverrides?: string[] | Record<string, string>
  /** a WHATWG fetch to use instead of gxcat's guarded HTTP client (tests; no address checks then) */
  fetch?: typeof globalThis.fetch
  /** most outbound fetches at once. @default 16 */
  maxFetches?: number
  /** most outbound fetches to one host at once. @default 4 */
  maxFetchesPerHost?: number
  /** how long a failed fetch is remembered (not tried again). @default 30 s */
  failureTtlMs?: number
  /** @default 10 s */
  timeoutMs?: number
  /** @default 1024 */
  cacheEntries?: number
  /** Cache lifetime of a DID document when the server sends no max-age. @default 10 min */
  cacheTtlMs?: number
}

interface Cached<T> {
  expires: number
  value: Promise<T>
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
  const maxPerHost = init.maxFetchesPerHost ?? OUTBOUND_MAX_PER_HOST
  const allQueue = new Queue<OutboundResponse>({ concurrency: init.maxFetches ?? OUTBOUND_MAX_CONCURRENT })
  const hostQueues = new Map<string, Queue<OutboundResponse>>()
  const negativeTtlMs = init.failureTtlMs ?? DID_WEB_FAILURE_TTL_MS
  const timeoutMs = init.timeoutMs ?? DID_WEB_TIMEOUT_MS
  const cacheEntries = init.cacheEntries ?? DID_WEB_CACHE_ENTRIES
  const cacheTtlMs = init.cacheTtlMs ?? DID_WEB_CACHE_TTL_MS
  const documents = new Map<string, Cached<DidDocument>>()
  const chains = new Map<string, Cached<CertificateChain>>()
  const imported = new Map<string, Promise<{ key: ResolvedKey, cryptoKey: KeyObject }>>()
  const importedFrom = new Map<string, unknown>()

  function applyOverride (url: string): string {
    const parsed = new URL(url)
    const base = overrides.get(parsed.host.toLowerCase())
    return base == null ? url : base + parsed.pathname + parsed.search
  }

  /**
   * GET a URL (after overrides) under the outbound rules (outbound-fetch.ts), bounded in total
   * and per host, with one deadline for the wait, the headers and the body. Every failure is a
   * DidResolutionError (nobody's fault that a forwarding peer could know of), except content
   * over the limit, which is a `Failure`.
   */
  async function fetchText (url: string, what: string, accept: string, maxBytes: number, Failure: new (message: string) => Error, options: AbortOptions): Promise<{ text: string, maxAgeMs?: number }> {
    const target = new URL(applyOverride(url))
    const trusted = overrides.has(new URL(url).host.toLowerCase())
    // whatever transport runs the fetch: only an origin override may name plain HTTP
    if (new URL(url).protocol !== 'https:' && !trusted) throw new Failure(`${what} is not an HTTPS URL: ${url}`)
    const deadline = AbortSignal.timeout(timeoutMs)
    const signal = options.signal == null ? deadline : AbortSignal.any([options.signal, deadline])
    let response
    try {
      let perHost = hostQueues.get(target.host)
      if (perHost == null) {
        hostQueues.set(target.host, perHost = new Queue({ concurrency: maxPerHost }))
        perHost.addEventListener('idle', () => { if (hostQueues.get(target.host) === perHost) hostQueues.delete(target.host) }, { once: true })
      }
      response = await perHost.add(async () => allQueue.add(async () => {
        const get = { accept, maxBytes, signal, trusted }
        return init.fetch != null ? outboundGetWith(init.fetch, target, get) : outboundGet(target, get)
      }, { signal }), { signal })
    } catch (err: any) {
      if (err.kind === 'too-large') throw new Failure(`${what} ${err.message}`)
      const reason = err.name === 'OutboundFetchError' ? err.message : deadline.aborted ? `no answer within ${timeoutMs} ms` : err.message
      throw new DidResolutionError(`cannot fetch ${what} from ${target.href}: ${reason}`)
    }
    const maxAge = /max-age=(\d+)/.exec(response.cacheControl)
    const noStore = /no-store|no-cache/.test(response.cacheControl)
    return { text: response.text, maxAgeMs: noStore ? 0 : maxAge != null ? Number(maxAge[1]) * 1000 : undefined }
  }

  /** A value from a cache that honours max-age; concurrent loads of one key share one fetch. */
  async function cached<T> (cache: Map<string, Cached<T>>, key: string, load: () => Promise<{ value: T, maxAgeMs?: number }>): Promise<T> {
    const now = Date.now()
    const hit = cache.get(key)
    if (hit != null && hit.expires > now) return hit.value
    const entry: Cached<T> = { expires: now + cacheTtlMs, value: Promise.resolve(undefined as T) }
    entry.value = load().then(({ value, maxAgeMs }) => {
      if (maxAgeMs != null) entry.expires = Date.now() + maxAgeMs
      return value
    }, err => {
      // a failure is remembered briefly: ten credentials of one dead host cost one fetch
      if (cache.get(key) === entry) {
        if (err.name === 'AbortError' || negativeTtlMs <= 0) cache.delete(key)
        else entry.expires = Date.now() + negativeTtlMs
      }
      throw err
    })
    entry.value.catch(() => {})
    cache.set(key, entry)
    while (cache.size > cacheEntries) cache.delete(cache.keys().next().value as string)
    return entry.value
  }

  async function resolveDocument (did: string, options: AbortOptions): Promise<DidDocument> {
    return cached(documents, did, async () => {
      const url = didWebUrl(did)
      const { text, maxAgeMs } = await fetchText(url, `the DID document of ${did}`, 'application/did+json, application/json', DID_WEB_MAX_DOCUMENT_BYTES, DidResolutionError, options)
      let document: DidDocument
      try {
        document = JSON.parse(text)
      } catch {
        throw new DidResolutionError(`the DID document of ${did} at ${applyOverride(url)} is not JSON`)
      }
      if (document == null || typeof document !== 'object') throw new DidResolutionError(`the DID document of ${did} is not a JSON object`)
      if (document.id != null && document.id !== did) throw new DidResolutionError(`the DID document at ${applyOverride(url)} is for ${document.id}, not ${did}`)
      return { value: document, maxAgeMs }
    })
  }

  async function resolveChain (x5u: unknown, kid: string, options: AbortOptions): Promise<CertificateChain> {
    let url: URL
    try {
      url = new URL(String(x5u))
    } catch {
      throw new CertificateChainError(`the x5u of ${kid} is not a URL: ${JSON.stringify(x5u)?.slice(0, 100)}`)
    }
    return cached(chains, url.href, async () => {
      const { text, maxAgeMs } = await fetchText(url.href, `the certificate chain of ${kid}`, 'application/pem-certificate-chain, application/x-pem-file, text/plain', CERTIFICATE_CHAIN_MAX_BYTES, CertificateChainError, options)
      return { value: parseCertificateChain(text, url.href), maxAgeMs }
    })
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
      const jwk = method.publicKeyJwk
      if (jwk.x5u == null) return { kid, did, jwk }
      const chain = await resolveChain(jwk.x5u, kid, options)
      assertLeafKey(chain, jwk, kid)
      return { kid, did, jwk, chain }
    }
    throw new DidResolutionError(`unsupported DID method in ${kid} (did:key and did:web are supported)`)
  }

  async function importKey (kid: string, alg: string, options: AbortOptions = {}): Promise<{ key: ResolvedKey, cryptoKey: KeyObject }> {
    const cacheKey = `${alg} ${kid}`
    const did = didOf(kid)
    // did:web keys follow the document cache (a refreshed document is imported again); did:key keys never change
    const source = did.startsWith('did:web:') ? (await resolveDocument(did, options), documents.get(did)) : undefined
    let entry = imported.get(cacheKey)
    if (entry == null || importedFrom.get(cacheKey) !== source) {
      importedFrom.set(cacheKey, source)
      entry = resolveKey(kid, options).then(async key => {
        try {
          return { key, cryptoKey: importPublicKey(key.jwk, alg) }
        } catch (err: any) {
          throw new KeyNotFoundError(`key ${kid} cannot be used with ${alg}: ${err.message}`)
        }
      })
      entry.catch(() => { imported.delete(cacheKey); importedFrom.delete(cacheKey) })
      imported.set(cacheKey, entry)
      while (imported.size > cacheEntries) {
        const oldest = imported.keys().next().value as string
        imported.delete(oldest)
        importedFrom.delete(oldest)
      }
    }
    return entry
  }

  async function fetchStatusList (href: string, options: AbortOptions = {}): Promise<{ text: string, maxAgeMs?: number }> {
    let url: URL
    try {
      url = new URL(href)
    } catch {
      throw new StatusListError(`the status list ${JSON.stringify(href)?.slice(0, 100)} is not a URL`)
    }
    try {
      return await fetchText(url.href, `the status list ${url.href}`, 'application/vc+jwt, application/vc+ld+json+jwt, application/vc+ld+jwt, application/jwt, application/vc+ld+json, application/json', STATUS_LIST_MAX_BYTES, StatusListError, options)
    } catch (err: any) {
      if (err.name === 'StatusListError') throw err
      throw new StatusListError(err.message)
    }
  }

  return { resolveKey, importKey, fetchStatusList }
}
