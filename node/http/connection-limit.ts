/**
 * The HTTP server under the API (fastify's serverFactory), with limits on how long a client may
 * take to send, how many connections it may hold, and how many answers it may leave unread.
 *
 * - A request's headers must arrive within `headersTimeoutMs` and the whole request within
 *   `requestTimeoutMs`, else 408 and the connection closes. Without this, a client that trickles
 *   its bodies holds its connections for as long as it likes.
 * - At most `total` connections at once. Where `perClient` is set, strangers (clients beyond the
 *   operator's addresses, loopback by default) share `total - reserved` of them, and one client,
 *   counted by address prefix (/24 for IPv4, /64 for IPv6: one host holds a whole /64), at most
 *   `perClient`. A stranger's connection past either is closed as it arrives, before anything is
 *   read from it, unless it can take the place of one that is doing nothing: a stranger's
 *   connection without a request under way (idle keep-alive, or headers still trickling in) for
 *   `evictIdleMs`, of the prefix holding most, never one that has shown the token. So the
 *   operator always has `reserved` places, and twenty addresses holding idle or half-sent
 *   connections (1,280 of them, past the 1,024 allowed) answered 1 % and 0 % of others'
 *   requests, where now each newcomer takes an idle place. Node's server has the total
 *   (`maxConnections`) but nothing per client, hence the count kept here.
 * - At most `unanswered` requests of one connection waiting for their answers. A client may send
 *   many requests in one go (HTTP pipelining) and read none of the answers: Node runs every
 *   request of a chunk it has read before it pauses the socket, and keeps each answer in memory
 *   until the client reads it (32 connections of 20 such requests for a page of 1,000 entries
 *   took a node from 0.5 to 3.2 GB). No browser or common client pipelines, so a connection that
 *   asks for more is closed, and the requests past the limit never reach the API.
 * - Answers written and not yet taken by their clients are bounded, all connections together,
 *   in time and in bytes. Node keeps an answer's bytes until the client has read it, and a
 *   connection counts as stalled while its answers wait and none of them moves. One stalled for
 *   `answerStallMs` is closed; and while the waiting answers come to more than `maxUnsentBytes`,
 *   the connections stalled longest are closed until they do not. Without this, 512 connections
 *   each asking for two SPARQL answers of 4.6 MB and reading nothing took a node from 0.5 to
 *   1.6 GB, and answers may reach SPARQL_MAX_RESULT_BYTES each: tens of gigabytes within the
 *   connection limits. A client that reads, however slowly, keeps its connection unless the
 *   budget runs out; a connection waiting for its answer to be worked out holds no bytes.
 *
 * Counted here rather than in fastify hooks: two hooks a request cost the main thread about as
 * much again as the counting itself.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { HTTP_EVICT_IDLE_MS, HTTP_RESERVED_CONNECTIONS } from '../constants.ts'

export interface ConnectionLimit {
  /** connections at once, all clients together */
  total: number
  /** connections at once from one client (an address prefix: /24, /64); none when absent, and then no other limit on strangers */
  perClient?: number
  /** places strangers never take: the operator's. @default HTTP_RESERVED_CONNECTIONS */
  reserved?: number
  /** the operator's addresses, which no per-client limit counts. @default loopback */
  operator?: (address: string) => boolean
  /** how long a stranger's connection must have had no request under way before a newcomer may take its place. @default HTTP_EVICT_IDLE_MS */
  evictIdleMs?: number
}

export interface ServerLimits extends ConnectionLimit {
  requestTimeoutMs: number
  headersTimeoutMs: number
  /** requests of one connection waiting for their answers */
  unanswered: number
  /** how long a kept-alive connection may stay idle */
  keepAliveTimeoutMs: number
  /** how long a connection's answers may wait with none of their bytes taken by the client */
  answerStallMs: number
  /** most bytes of answers waiting for their clients, all connections together */
  maxUnsentBytes: number
  /** whether a request shows the token: its connection is never closed to make room */
  trusted?: (request: IncomingMessage) => boolean
}

/** A connection with requests not yet answered, or answers not yet taken. */
interface Pending {
  responses: Set<ServerResponse>
  /** what its answers and its socket's queue last held, to see them move */
  mark: string
  /** when they last moved (or first waited) */
  since: number
  /** when it last had no request under way (its last answer, or its opening) */
  idleSince: number
  /** it has shown the token */
  trusted: boolean
}

export function createLimitedServer (handler: RequestListener, limits: ServerLimits): Server {
  const pendingOf = new WeakMap<Socket, Pending>()
  /** the connections with requests not yet answered, or answers not yet taken */
  const pending = new Set<Socket>()
  const held = (socket: Socket): Pending => {
    let record = pendingOf.get(socket)
    if (record == null) pendingOf.set(socket, record = { responses: new Set(), mark: '', since: 0, idleSince: Date.now(), trusted: false })
    return record
  }
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    // Node checks neither timeout where the headers may take longer than the whole request
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    // how often Node looks for requests past their time (30 s by default, on top of the timeout)
    connectionsCheckingInterval: Math.min(5000, Math.max(50, Math.round(limits.requestTimeoutMs / 4)))
  }, (request, response) => {
    const socket = request.socket
    const record = held(socket)
    if (record.responses.size >= limits.unanswered) {
      socket.destroy()
      return
    }
    if (!record.trusted && limits.trusted?.(request) === true) record.trusted = true
    record.responses.add(response)
    pending.add(socket)
    response.once('close', () => {
      record.responses.delete(response)
      if (record.responses.size === 0) {
        pending.delete(socket)
        record.idleSince = Date.now()
      }
    })
    handler(request, response)
  })
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  server.maxConnections = limits.total
  // 'sweep' after each look at the stalled connections, for whoever watches the server (tests)
  const sweep = setInterval(() => {
    closeStalled(pending, pendingOf, limits)
    server.emit('sweep')
  }, Math.min(1000, Math.max(20, Math.round(limits.answerStallMs / 4)))).unref()
  server.once('close', () => { clearInterval(sweep) })
  if (limits.perClient != null) limitStrangers(server, limits.perClient, limits, held)
  return server
}

/**
 * Counts strangers' connections by client prefix and closes one past the limits as it arrives,
 * unless an idle stranger's connection can give up its place (see the module's comment).
 */
function limitStrangers (server: Server, perClient: number, limits: ServerLimits, held: (socket: Socket) => Pending): void {
  const strangersMax = Math.max(0, limits.total - (limits.reserved ?? HTTP_RESERVED_CONNECTIONS))
  const isOperator = limits.operator ?? isLoopback
  const evictIdleMs = limits.evictIdleMs ?? HTTP_EVICT_IDLE_MS
  const byClient = new Map<string, Set<Socket>>()
  let strangers = 0
  /** an idle connection of `sockets` (not one that showed the token) idle for long enough */
  const idleIn = (sockets: Set<Socket>, now: number): Socket | undefined => {
    for (const socket of sockets) {
      const record = held(socket)
      if (!record.trusted && record.responses.size === 0 && now - record.idleSince >= evictIdleMs) return socket
    }
    return undefined
  }
  /** frees a place for a newcomer: an idle connection of its own client if that is full, else of the client holding most */
  const makeRoom = (client: string, ownFull: boolean): boolean => {
    const now = Date.now()
    let victim: Socket | undefined
    if (ownFull) {
      victim = idleIn(byClient.get(client) ?? new Set(), now)
    } else {
      for (const sockets of [...byClient.values()].sort((a, b) => b.size - a.size)) {
        victim = idleIn(sockets, now)
        if (victim != null) break
      }
    }
    if (victim == null) return false
    forget(victim)
    victim.destroy()
    return true
  }
  const clientOf = new WeakMap<Socket, string>()
  const forget = (socket: Socket): void => {
    const client = clientOf.get(socket)
    if (client == null) return
    clientOf.delete(socket)
    strangers--
    const sockets = byClient.get(client)
    sockets?.delete(socket)
    if (sockets?.size === 0) byClient.delete(client)
  }
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress
    if (address == null || isOperator(address)) return
    const client = clientPrefix(address)
    const ownFull = (byClient.get(client)?.size ?? 0) >= perClient
    if ((ownFull || strangers >= strangersMax) && !makeRoom(client, ownFull)) {
      socket.destroy()
      return
    }
    let sockets = byClient.get(client)
    if (sockets == null) byClient.set(client, sockets = new Set())
    sockets.add(socket)
    clientOf.set(socket, client)
    strangers++
    held(socket)
    socket.once('close', () => { forget(socket) })
  })
}

/** A host name or address of the loopback interface (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.') || host.startsWith('::ffff:127.')
}

/**
 * The client an address belongs to: its /24 for IPv4 (and IPv4 mapped into IPv6), its /64 for
 * IPv6, where one host is given 2⁶⁴ addresses.
 */
export function clientPrefix (address: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+)\.\d+$/i.exec(address)
  if (v4 != null) return `${v4[1]}.0/24`
  const [head, tail] = address.split('%')[0].toLowerCase().split('::')
  const groups = head === '' ? [] : head.split(':')
  if (tail != null) {
    const after = tail === '' ? [] : tail.split(':')
    groups.push(...Array(Math.max(0, 8 - groups.length - after.length)).fill('0'), ...after)
  }
  return `${groups.slice(0, 4).map(g => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/** The bytes of a connection's answers that its client has not taken yet (the one being sent includes what its socket queues). */
function unsentBytes (held: Pending): number {
  let bytes = 0
  for (const response of held.responses) bytes += response.writableLength
  return bytes
}

/**
 * Closes the connections whose answers have not moved for `answerStallMs`, then, while the
 * answers waiting come to more than `maxUnsentBytes`, those that have not moved for longest.
 * An answer moves when the client takes part of it: Node counts an answer's bytes as waiting
 * until its socket has written them all, so the socket's write queue (libuv's, which shrinks as
 * the client reads) shows the progress in between, where Node exposes it.
 */
function closeStalled (pending: Set<Socket>, pendingOf: WeakMap<Socket, Pending>, limits: ServerLimits): void {
  const now = Date.now()
  const waiting: Array<{ socket: Socket, since: number, bytes: number }> = []
  let total = 0
  for (const socket of pending) {
    const held = pendingOf.get(socket)
    if (held == null) continue
    const bytes = unsentBytes(held)
    if (bytes === 0) {
      held.mark = ''
      continue
    }
    const queued = (socket as unknown as { _handle?: { writeQueueSize?: number } })._handle?.writeQueueSize
    const mark = `${held.responses.size}:${bytes}:${queued ?? ''}`
    if (mark !== held.mark) {
      held.mark = mark
      held.since = now
    }
    if (now - held.since >= limits.answerStallMs) {
      socket.destroy()
      continue
    }
    total += bytes
    waiting.push({ socket, since: held.since, bytes })
  }
  if (total <= limits.maxUnsentBytes) return
  waiting.sort((a, b) => a.since - b.since)
  for (const { socket, bytes } of waiting) {
    if (total <= limits.maxUnsentBytes) break
    socket.destroy()
    total -= bytes
  }
}
