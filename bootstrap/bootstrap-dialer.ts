/**
 * How a node joins through its bootstrap list: it dials the bootstrap peers at start, and
 * again whenever it has no connection left, with a growing pause between tries. Written here
 * rather than taken from @libp2p/bootstrap, which refuses /memory multiaddrs (simulations
 * run on the memory transport) and dials only once, at start.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p, Logger } from '@libp2p/interface'

export interface BootstrapDialerInit {
  list: string[]
  /** first pause between rounds of dialling when no peer is connected. @default 1 s */
  minBackoffMs?: number
  /** @default 30 s */
  maxBackoffMs?: number
}

export interface BootstrapDialer {
  start (): void
  stop (): void
  /** dials every bootstrap peer not connected yet; resolves with how many connections it made */
  dialAll (): Promise<number>
}

export function createBootstrapDialer (libp2p: Libp2p, log: Logger, init: BootstrapDialerInit): BootstrapDialer {
  const addrs = init.list.map(a => multiaddr(a))
  const minBackoff = init.minBackoffMs ?? 1000
  const maxBackoff = init.maxBackoffMs ?? 30_000
  let timer: ReturnType<typeof setTimeout> | undefined
  let backoff = minBackoff
  let running = false

  async function dialAll (): Promise<number> {
    const self = libp2p.peerId.toString()
    const connected = new Set(libp2p.getPeers().map(p => p.toString()))
    const dials = addrs
      .filter(a => { const id = a.getComponents().find(c => c.name === 'p2p')?.value; return id !== self && (id == null || !connected.has(id)) })
      .map(async a => libp2p.dial(a, { signal: AbortSignal.timeout(10_000) }).then(() => 1, err => {
        log('dialling bootstrap peer %s failed: %s', a.toString(), err.message)
        return 0
      }))
    return (await Promise.all(dials)).reduce((n: number, x: number) => n + x, 0)
  }

  function schedule (delay: number): void {
    if (!running || addrs.length === 0) return
    timer = setTimeout(() => {
      void (async () => {
        if (libp2p.getPeers().length === 0) {
          const made = await dialAll()
          backoff = made > 0 ? minBackoff : Math.min(backoff * 2, maxBackoff)
        } else {
          backoff = minBackoff
        }
        schedule(libp2p.getPeers().length === 0 ? backoff : maxBackoff)
      })()
    }, delay)
    timer.unref?.()
  }

  return {
    start () {
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
