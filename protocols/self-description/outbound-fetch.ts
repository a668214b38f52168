/**
 * The one way gxcat fetches from the web (DID documents, x5u chains, status lists), on behalf
 * of whoever submitted a credential: an HTTP GET that never reaches loopback, private,
 * link-local or multicast addresses (checked on the address it connects to, after DNS, so a
 * name that resolves inside cannot be used either) unless the operator allowed the host; that
 * follows no redirect; that reads the body as a stream under a hard byte cap whatever
 * Content-Length says; and that has one deadline for headers and body.
 *
 * Built on node:http(s) rather than fetch: only a socket-level `lookup` sees the address
 * actually connected to (fetch would need undici's Agent, which Node does not expose).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP } from 'node:net'
import { isPrivateIp } from '@libp2p/utils'

export type OutboundFailure = 'refused-address' | 'too-large' | 'unreachable' | 'timeout' | 'http-status'

/** Why an outbound fetch failed; the resolver turns it into its own typed error. */
export class OutboundFetchError extends Error {
  static name = 'OutboundFetchError'
  name = 'OutboundFetchError'
  readonly kind: OutboundFailure

  constructor (kind: OutboundFailure, message: string) {
    super(message)
    this.kind = kind
  }
}

export interface OutboundResponse {
  text: string
  /** the Cache-Control header, '' if none */
  cacheControl: string
}

export interface OutboundGetOptions {
  accept: string
  maxBytes: number
  /** ends the whole fetch, headers and body */
  signal: AbortSignal
  /** the operator allowed this host (an origin override): any address, plain HTTP */
  trusted: boolean
}

const MULTICAST = new BlockList()
MULTICAST.addSubnet('224.0.0.0', 4, 'ipv4')
MULTICAST.addSubnet('ff00::', 8, 'ipv6')
/** internal IPv6 ranges isPrivateIp does not know: local-use NAT64 (RFC 8215), site-local (deprecated, still routed in places) */
const INTERNAL_IPV6 = new BlockList()
INTERNAL_IPV6.addSubnet('64:ff9b:1::', 48, 'ipv6')
INTERNAL_IPV6.addSubnet('fec0::', 10, 'ipv6')
/**
 * IPv6 prefixes whose last 32 bits are an IPv4 address the packet ends up at: IPv4-mapped,
 * IPv4-compatible, and NAT64's well-known prefix (RFC 6052), through which a DNS64 network reaches
 * IPv4 hosts. isPrivateIp reads only some of their written forms (not `64:ff9b::a00:1`, which is
 * 10.0.0.1 behind a NAT64 gateway, as a resolver writes it).
 */
const EMBEDS_IPV4 = new BlockList()
EMBEDS_IPV4.addSubnet('::ffff:0:0', 96, 'ipv6')
EMBEDS_IPV4.addSubnet('::', 96, 'ipv6')
EMBEDS_IPV4.addSubnet('64:ff9b::', 96, 'ipv6')

/** Whether an address is one a fetch on a stranger's behalf must never reach. */
export function isInternalAddress (address: string): boolean {
  const family = isIP(address)
  if (family === 0) return true // not an address at all: refuse
  if (isPrivateIp(address) === true || MULTICAST.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true
  if (family === 4) return false
  if (INTERNAL_IPV6.check(address, 'ipv6')) return true
  return EMBEDS_IPV4.check(address, 'ipv6') && isInternalAddress(embeddedIpv4(address))
}

/** The IPv4 address in the last 32 bits of an IPv6 address, written either way (`::ffff:7f00:1`, `::ffff:127.0.0.1`). */
function embeddedIpv4 (address: string): string {
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (dotted != null) return dotted[1]
  const [high, low] = address.split(':').slice(-2).map(group => parseInt(group === '' ? '0' : group, 16))
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`
}

/** dns.lookup that refuses names resolving to an internal address (every address must be public). */
function publicLookup (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err != null) { callback(err, []); return }
    const internal = addresses.find(a => isInternalAddress(a.address))
    if (internal != null) {
      callback(Object.assign(new OutboundFetchError('refused-address', `${hostname} resolves to ${internal.address}, an internal address`), { code: 'EREFUSEDADDRESS' }), [])
      return
    }
    if (options.all === true) callback(null, addresses)
    else callback(null, addresses[0].address, addresses[0].family)
  })
}

export async function outboundGet (url: URL, options: OutboundGetOptions): Promise<OutboundResponse> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!options.trusted) {
    if (url.protocol !== 'https:') throw new OutboundFetchError('refused-address', `${url.href} is not HTTPS`)
    if (isIP(host) !== 0 && isInternalAddress(host)) throw new OutboundFetchError('refused-address', `${host} is an internal address`)
  }
  options.signal.throwIfAborted()
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false
    const fail = (err: Error): void => {
      if (settled) return
      settled = true
      req.destroy()
      reject(err)
    }
    const onAbort = (): void => { fail(new OutboundFetchError('timeout', `no complete answer from ${url.host} in time`)) }
    const req = request(url, {
      method: 'GET',
      headers: { accept: options.accept, 'user-agent': 'gxcat' },
      ...(options.trusted ? {} : { lookup: publicLookup as any }),
      signal: undefined
    }, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0
      if (status < 200 || status >= 300) {
        response.resume()
        fail(new OutboundFetchError('http-status', `answered HTTP ${status}`))
        return
      }
      const declared = Number(response.headers['content-length'] ?? 0)
      if (declared > options.maxBytes) {
        fail(new OutboundFetchError('too-large', `is ${declared} bytes, more than ${options.maxBytes}`))
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > options.maxBytes) {
          fail(new OutboundFetchError('too-large', `is more than ${options.maxBytes} bytes`))
          return
        }
        chunks.push(chunk)
      })
      response.on('error', err => { fail(new OutboundFetchError('unreachable', err.message)) })
      response.on('end', () => {
        if (settled) return
        settled = true
        options.signal.removeEventListener('abort', onAbort)
        const cacheControl = response.headers['cache-control']
        resolve({ text: Buffer.concat(chunks).toString('utf8'), cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl ?? '' })
      })
    })
    options.signal.addEventListener('abort', onAbort, { once: true })
    req.on('error', (err: any) => {
      fail(err instanceof OutboundFetchError ? err : new OutboundFetchError(err.code === 'EREFUSEDADDRESS' ? 'refused-address' : 'unreachable', err.message))
    })
    req.end()
  })
}

/**
 * The same contract over an injected WHATWG fetch (tests, other runtimes): the body is still
 * read as a stream under the cap and the deadline. No address check: the injected fetch decides
 * where it connects.
 */
export async function outboundGetWith (fetchFn: typeof globalThis.fetch, url: URL, options: OutboundGetOptions): Promise<OutboundResponse> {
  let response: Response
  try {
    response = await fetchFn(url.href, { signal: options.signal, redirect: 'error', headers: { accept: options.accept } })
  } catch (err: any) {
    throw new OutboundFetchError(options.signal.aborted ? 'timeout' : 'unreachable', err.cause?.message ?? err.message)
  }
  if (!response.ok) throw new OutboundFetchError('http-status', `answered HTTP ${response.status}`)
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > options.maxBytes) throw new OutboundFetchError('too-large', `is ${declared} bytes, more than ${options.maxBytes}`)
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for await (const chunk of (response.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length
      if (size > options.maxBytes) {
        await response.body?.cancel().catch(() => {})
        throw new OutboundFetchError('too-large', `is more than ${options.maxBytes} bytes`)
      }
      chunks.push(chunk)
    }
  } catch (err: any) {
    if (err instanceof OutboundFetchError) throw err
    throw new OutboundFetchError(options.signal.aborted ? 'timeout' : 'unreachable', err.message)
  }
  return { text: Buffer.concat(chunks).toString('utf8'), cacheControl: response.headers.get('cache-control') ?? '' }
}
