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
 *
 * Counted here rather than in fastify hooks: two hooks a request cost the main thread about as
 * much again as the counting itself.
 */
import { createServer, type RequestListener, type Server } from 'node:http'
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
}

export function createLimitedServer (handler: RequestListener, limits: ServerLimits): Server {
  const waiting = new WeakMap<Socket, number>()
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    // Node checks neither timeout where the headers may take longer than the whole request
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    // how often Node looks for requests past their time (30 s by default, on top of the timeout)
    connectionsCheckingInterval: Math.min(5000, Math.max(50, Math.round(limits.requestTimeoutMs / 4)))
  }, (request, response) => {
    const socket = request.socket
    const count = (waiting.get(socket) ?? 0) + 1
    if (count > limits.unanswered) {
      socket.destroy()
      return
    }
    waiting.set(socket, count)
    response.once('close', () => { waiting.set(socket, (waiting.get(socket) ?? 1) - 1) })
    handler(request, response)
  })
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  server.maxConnections = limits.total
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
