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
 *
 * Over TCP (the multi-process modes) a node reads what reaches its socket only when its event
 * loop gets to it, which may be long after it was sent when the process is busy. A link's
 * latency runs on the wire, whatever the receiver is doing, so each write carries the instant
 * it was sent (`stampSendTimes`), and the receiver hands it on at that instant plus the link's
 * latency, or at once if that has passed while it was busy. Without stamps the latency would
 * start only once the receiver reads, and a busy process would pay it on top of its own delay.
 */
import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { Core } from './cpu-model.ts'
import { Uint8ArrayList } from 'uint8arraylist'
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

/** a send-time stamp before each write: the instant (ms, float64) and the length (uint32) of what follows */
const STAMP_BYTES = 12

/** an instant every process on this machine reads alike, with sub-millisecond precision */
const machineNow = (): number => performance.timeOrigin + performance.now()

type RawConnection = {
  onData: (data: Uint8Array | { byteLength: number, subarray: () => Uint8Array }) => void
  onTransportClosed: (err?: Error) => void
  sendData: (data: Iterable<Uint8Array> & { byteLength: number }) => { sentBytes: number, canSendMore: boolean }
}

/** Makes `stream` stamp what it sends, and returns a reader that takes the stamps off what it receives. */
function stampSends (stream: RawConnection, handOn: (data: Uint8Array, sentAt: number) => void): (data: Uint8Array) => void {
  const send = stream.sendData.bind(stream)
  stream.sendData = data => {
    const stamp = new Uint8Array(STAMP_BYTES)
    const view = new DataView(stamp.buffer)
    view.setFloat64(0, machineNow())
    view.setUint32(8, data.byteLength)
    // one buffer, so that a stamp and its bytes are written (or held back) together
    const framed = new Uint8ArrayList(stamp, ...data).subarray()
    const { canSendMore } = send(Object.assign([framed], { byteLength: framed.byteLength }))
    return { sentBytes: data.byteLength, canSendMore }
  }
  const pending = new Uint8ArrayList()
  return data => {
    pending.append(data)
    while (pending.byteLength >= STAMP_BYTES) {
      const end = STAMP_BYTES + pending.getUint32(8)
      if (pending.byteLength < end) break
      handOn(pending.subarray(STAMP_BYTES, end), pending.getFloat64(0))
      pending.consume(end)
    }
  }
}

/** Delays what `maConn` receives by its link; returns a setter for the remote peer once known. */
function delayInbound (maConn: MultiaddrConnection, linkOf: LinkOf, core?: Core, stamped = false): (peer: string) => void {
  const stream = maConn as unknown as RawConnection
  let peer = peerOfAddress(maConn)
  const deliver = stream.onData.bind(stream)
  const close = stream.onTransportClosed.bind(stream)
  const arrive = (bytes: number, run: () => void): void => { if (core == null) run(); else core.submit(bytes, run, maConn) }
  const arrivals = createTimedQueue()
  let lastArrival = 0
  let wireFree = 0
  const enqueue = (bytes: number, run: () => void, sentAgoMs = 0): void => {
    // asked for each chunk: a remote node's index may become known after its connection opened
    // (nodes of other processes are announced once all have started)
    const { latencyMs, bandwidthKbps } = linkOf(peer)
    const now = performance.now()
    let sent = now - sentAgoMs
    if (bandwidthKbps > 0) {
      sent = Math.max(sent, wireFree) + bytes * 8 / bandwidthKbps
      wireFree = sent
    }
    // in order: never before what was received earlier on this connection
    const at = Math.max(lastArrival, sent + latencyMs)
    lastArrival = at
    arrivals.push(at, () => { arrive(bytes, run) })
  }
  if (stamped) {
    const read = stampSends(stream, (data, sentAt) => { enqueue(data.byteLength, () => { deliver(data) }, Math.max(0, machineNow() - sentAt)) })
    stream.onData = data => { read(data instanceof Uint8Array ? data : data.subarray()) }
  } else {
    stream.onData = data => { enqueue(data.byteLength, () => { deliver(data) }) }
  }
  // an orderly close arrives after the data sent before it; a failure at once
  stream.onTransportClosed = err => { if (err != null) close(err); else enqueue(0, () => { close() }) }
  return remote => { peer = remote }
}

function withDelayingUpgrader (upgrader: Upgrader, linkOf: LinkOf, core?: Core, stamped = false): Upgrader {
  const upgrade = (direction: 'upgradeInbound' | 'upgradeOutbound') => async (maConn: MultiaddrConnection, options: any) => {
    const setPeer = delayInbound(maConn, linkOf, core, stamped)
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

/**
 * `factory`'s transport, with the link model (and the node's core, if given) on every connection
 * it dials or accepts; `stampSendTimes` where a receiver may read late (TCP, above): every node
 * of the simulation must then stamp.
 */
export function withLinkModel (factory: TransportFactory, linkOf: LinkOf, options: { core?: Core, stampSendTimes?: boolean } = {}): TransportFactory {
  const { core, stampSendTimes: stamped = false } = options
  return components => {
    const transport = factory(components)
    return new Proxy(transport, {
      get (target, prop) {
        if (prop === 'dial') return async (ma: any, options: any) => target.dial(ma, { ...options, upgrader: withDelayingUpgrader(options.upgrader, linkOf, core, stamped) })
        if (prop === 'createListener') return (options: any) => target.createListener({ ...options, upgrader: withDelayingUpgrader(options.upgrader, linkOf, core, stamped) })
        const value = Reflect.get(target, prop)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }
}
