/**
 * The HTTP server under the API (fastify's serverFactory), with limits on how long a client may
 * take to send, how many connections it may hold, and how many answers it may leave unread.
 *
 * - A request's headers must arrive within `headersTimeoutMs` and the whole request within
 *   `requestTimeoutMs`, else 408 and the connection closes. Without this, a client that trickles
 *   its bodies holds its connections for as long as it likes.
 * - At most `total` connections at once, and where `perClient` is set, at most that many from
 *   one client address. A connection past either is closed as it arrives, before anything is
 *   read from it, so that one client cannot take every place (nor the file descriptors the store
 *   and libp2p need). Node's server has the total (`maxConnections`) but nothing per client,
 *   hence the count kept here.
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
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface ConnectionLimit {
  /** connections at once, all clients together */
  total: number
  /** connections at once from one address; none when absent */
  perClient?: number
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
}

/** A connection with requests not yet answered, or answers not yet taken. */
interface Pending {
  responses: Set<ServerResponse>
  /** what its answers and its socket's queue last held, to see them move */
  mark: string
  /** when they last moved (or first waited) */
  since: number
}

export function createLimitedServer (handler: RequestListener, limits: ServerLimits): Server {
  const pendingOf = new WeakMap<Socket, Pending>()
  /** the connections with requests not yet answered, or answers not yet taken */
  const pending = new Set<Socket>()
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    // Node checks neither timeout where the headers may take longer than the whole request
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    // how often Node looks for requests past their time (30 s by default, on top of the timeout)
    connectionsCheckingInterval: Math.min(5000, Math.max(50, Math.round(limits.requestTimeoutMs / 4)))
  }, (request, response) => {
    const socket = request.socket
    let held = pendingOf.get(socket)
    if (held == null) pendingOf.set(socket, held = { responses: new Set(), mark: '', since: 0 })
    if (held.responses.size >= limits.unanswered) {
      socket.destroy()
      return
    }
    held.responses.add(response)
    pending.add(socket)
    response.once('close', () => {
      held.responses.delete(response)
      if (held.responses.size === 0) pending.delete(socket)
    })
    handler(request, response)
  })
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  server.maxConnections = limits.total
  const sweep = setInterval(() => { closeStalled(pending, pendingOf, limits) }, Math.min(1000, Math.max(20, Math.round(limits.answerStallMs / 4)))).unref()
  server.once('close', () => { clearInterval(sweep) })
  const perClient = limits.perClient
  if (perClient != null) {
    const open = new Map<string, number>()
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress
      if (address == null) return
      const connections = (open.get(address) ?? 0) + 1
      if (connections > perClient) {
        socket.destroy()
        return
      }
      open.set(address, connections)
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1
        if (left <= 0) open.delete(address)
        else open.set(address, left)
      })
    })
  }
  return server
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
