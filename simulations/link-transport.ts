/**
 * The scenario's link model on every byte a simulated node receives, whatever protocol carries
 * it: gossip messages and their control frames (IHAVE, IWANT, GRAFT, PRUNE, IDONTWANT), sync
 * frames, DHT queries, identify, the noise handshake. A transport (memory or TCP) is wrapped so
 * that each connection it upgrades hands its received data on after the link's latency, and
 * after its bandwidth has carried the bytes before them: pipelined (a chunk waits for its own
 * arrival time, not for the chunks before it to be read) and in order. The remote node, and so
 * the link, is known from the connection's address where it names the peer (memory), else from
 * the upgrade (TCP); until then the scenario's base latency applies. js-libp2p has no such hook,
 * and the memory transport's own `latency` delays one buffer after another, which caps a link
 * at one buffer per latency period. In virtual time, what arrives is then processed by the
 * receiving node's core (cpu-model.ts) before the node reads it.
 */
import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { Core } from './cpu-model.ts'
import { createTimedQueue } from './timed-queue.ts'

export interface LinkParameters {
  latencyMs: number
  /** 0: unlimited */
  bandwidthKbps: number
}

/** The link to a remote peer (its peer id, when known). */
export type LinkOf = (remotePeer: string | undefined) => LinkParameters

type TransportFactory = (components: any) => Transport

function peerOfAddress (maConn: MultiaddrConnection): string | undefined {
  return maConn.remoteAddr.getComponents().find(c => c.name === 'p2p')?.value
}

/** Delays what `maConn` receives by its link; returns a setter for the remote peer once known. */
function delayInbound (maConn: MultiaddrConnection, linkOf: LinkOf, core?: Core): (peer: string) => void {
  const stream = maConn as unknown as { onData: (data: Uint8Array | { byteLength: number }) => void, onTransportClosed: (err?: Error) => void }
  let peer = peerOfAddress(maConn)
  const deliver = stream.onData.bind(stream)
  const close = stream.onTransportClosed.bind(stream)
  const arrive = (bytes: number, run: () => void): void => { if (core == null) run(); else core.submit(bytes, run) }
  const arrivals = createTimedQueue()
  let lastArrival = 0
  let wireFree = 0
  const enqueue = (bytes: number, run: () => void): void => {
    // asked for each chunk: a remote node's index may become known after its connection opened
    // (nodes of other processes are announced once all have started)
    const { latencyMs, bandwidthKbps } = linkOf(peer)
    const now = performance.now()
    let sent = now
    if (bandwidthKbps > 0) {
      sent = Math.max(now, wireFree) + bytes * 8 / bandwidthKbps
      wireFree = sent
    }
    // in order: never before what was received earlier on this connection
    const at = Math.max(lastArrival, sent + latencyMs)
    lastArrival = at
    arrivals.push(at, () => { arrive(bytes, run) })
  }
  stream.onData = data => { enqueue(data.byteLength, () => { deliver(data) }) }
  // an orderly close arrives after the data sent before it; a failure at once
  stream.onTransportClosed = err => { if (err != null) close(err); else enqueue(0, () => { close() }) }
  return remote => { peer = remote }
}

function withDelayingUpgrader (upgrader: Upgrader, linkOf: LinkOf, core?: Core): Upgrader {
  const upgrade = (direction: 'upgradeInbound' | 'upgradeOutbound') => async (maConn: MultiaddrConnection, options: any) => {
    const setPeer = delayInbound(maConn, linkOf, core)
    const connection = await upgrader[direction](maConn, options)
    if (connection != null) setPeer(connection.remotePeer.toString())
    return connection
  }
  return new Proxy(upgrader, {
    get (target, prop) {
      if (prop === 'upgradeInbound' || prop === 'upgradeOutbound') return upgrade(prop)
      const value = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** `factory`'s transport, with the link model (and the node's core, if given) on every connection it dials or accepts. */
export function withLinkModel (factory: TransportFactory, linkOf: LinkOf, core?: Core): TransportFactory {
  return components => {
    const transport = factory(components)
    return new Proxy(transport, {
      get (target, prop) {
        if (prop === 'dial') return async (ma: any, options: any) => target.dial(ma, { ...options, upgrader: withDelayingUpgrader(options.upgrader, linkOf, core) })
        if (prop === 'createListener') return (options: any) => target.createListener({ ...options, upgrader: withDelayingUpgrader(options.upgrader, linkOf, core) })
        const value = Reflect.get(target, prop)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }
}
