/**
 * How many connections the HTTP server holds: at most `total` at once, and where `perClient` is
 * set at most that many from one client address. A connection past either is closed as it
 * arrives, before anything is read from it, so that one client cannot take every place (nor
 * the file descriptors the store and libp2p need). Node's server has the total
 * (`maxConnections`) but nothing per client, hence the count kept here.
 */
import type { Server } from 'node:http'

export interface ConnectionLimit {
  /** connections at once, all clients together */
  total: number
  /** connections at once from one address; none when absent */
  perClient?: number
}

export function limitConnections (server: Server, limit: ConnectionLimit): void {
  server.maxConnections = limit.total
  const perClient = limit.perClient
  if (perClient == null) return
  const open = new Map<string, number>()
  server.on('connection', socket => {
    const address = socket.remoteAddress
    if (address == null) return
    const count = (open.get(address) ?? 0) + 1
    if (count > perClient) {
      socket.destroy()
      return
    }
    open.set(address, count)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left <= 0) open.delete(address)
      else open.set(address, left)
    })
  })
}
