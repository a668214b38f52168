/**
 * How a node joins through its bootstrap list: it dials the bootstrap peers at start, and
 * again whenever it has no connection left, with a growing pause between tries. Written here
 * rather than taken from @libp2p/bootstrap, which refuses /memory multiaddrs (simulations
 * run on the memory transport) and dials only once, at start. A libp2p service:
 * `bootstrapDialer(init)` in the node's services.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { ComponentLogger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface BootstrapDialerInit {
  list: string[]
  /** first pause between rounds of dialling when no peer is connected. @default 1 s */
  minBackoffMs?: number
  /** @default 30 s */
  maxBackoffMs?: number
}

export interface BootstrapDialerComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface BootstrapDialer extends Startable {
  /** dials every bootstrap peer not connected yet; resolves with how many connections it made */
  dialAll (): Promise<number>
}

export function bootstrapDialer (init: BootstrapDialerInit): (components: BootstrapDialerComponents) => BootstrapDialer {
  return components => createBootstrapDialer(components, init)
}

function createBootstrapDialer (components: BootstrapDialerComponents, init: BootstrapDialerInit): BootstrapDialer {
  const { connectionManager } = components
  const log = components.logger.forComponent('gxcat:bootstrap')
  const peerCount = (): number => connectionManager.getConnectionsMap().size
  const addrs = init.list.map(a => multiaddr(a))
  const minBackoff = init.minBackoffMs ?? 1000
  const maxBackoff = init.maxBackoffMs ?? 30_000
  let timer: ReturnType<typeof setTimeout> | undefined
  let backoff = minBackoff
  let running = false

  async function dialAll (): Promise<number> {
    const self = components.peerId.toString()
    const connected = new Set([...connectionManager.getConnectionsMap().keys()].map(p => p.toString()))
    const dials = addrs
      .filter(a => { const id = a.getComponents().find(c => c.name === 'p2p')?.value; return id !== self && (id == null || !connected.has(id)) })
      .map(async a => connectionManager.openConnection(a, { signal: AbortSignal.timeout(10_000) }).then(() => 1, err => {
        log('dialling bootstrap peer %s failed: %s', a.toString(), err.message)
        return 0
      }))
    return (await Promise.all(dials)).reduce((n: number, x: number) => n + x, 0)
  }

  function schedule (delay: number): void {
    if (!running || addrs.length === 0) return
    timer = setTimeout(() => {
      void (async () => {
        if (peerCount() === 0) {
          const made = await dialAll()
          backoff = made > 0 ? minBackoff : Math.min(backoff * 2, maxBackoff)
        } else {
          backoff = minBackoff
        }
        schedule(peerCount() === 0 ? backoff : maxBackoff)
      })()
    }, delay)
    timer.unref?.()
  }

  return {
    start () {},
    // once the transports listen
    afterStart () {
      running = true
      void dialAll().then(made => { schedule(made > 0 ? maxBackoff : minBackoff) })
    },
    stop () {
      running = false
      clearTimeout(timer)
    },
    dialAll
  }
}
