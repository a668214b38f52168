/**
 * Anti-entropy for one node: it keeps the set it reconciles (the head of each active entry
 * and each revocation) in step with the store, answers sync sessions, and starts them: with
 * each new peer, periodically with jitter, and on demand; a few at a time. What arrives is
 * verified and stored like gossip; a peer that sends invalid versions or breaks the protocol
 * is reported as misbehaving. A libp2p service: `catalogueSync(init)` in the node's services.
 */
import { Queue, RateLimiter } from '@libp2p/utils'
import { Counter } from 'prom-client'
import { SYNC_PROTOCOL, SYNC_REFUSED_MEMORY, second } from '../../protocols/constants.ts'
import { cidOfId, createSyncSet, idKey, idOfCid, initiateSync, respondSync, type IngestOutcome, type SyncItem, type SyncSource, type SyncStats } from '../../protocols/sync/index.ts'
import { blameOf } from '../../protocols/errors.ts'
import { isRevocationJws, versionDigest } from '../../protocols/self-description/index.ts'
import { SyncLimitError } from '../../protocols/sync/errors.ts'
import { SYNC_PEER_PUSHES, SYNC_PEER_PUSH_WINDOW_MS } from '../constants.ts'
import { TypedEventEmitter, type TypedEventTarget } from 'main-event'
import type { CatalogueReplica } from '../catalogue-node-api.ts'
import type { Misbehaviour } from './misbehaviour.ts'
import type { ComponentLogger, Libp2pEvents, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface SyncServiceInit {
  /** mean pause between periodic syncs with a random peer. @default 60 s */
  intervalMs?: number
  /** sessions this node starts at once. @default 2 */
  concurrency?: number
  /** sync with each new peer. @default true */
  onConnect?: boolean
  /** versions this node takes per window from what one peer offers in the sessions it starts. @default SYNC_PEER_PUSHES per SYNC_PEER_PUSH_WINDOW_MS */
  peerPushes?: { versions: number, windowMs: number }
}

export interface SyncServiceComponents {
  catalogueReplica: CatalogueReplica
  catalogueMisbehaviour: Misbehaviour
  connectionManager: ConnectionManager
  registrar: Registrar
  events: TypedEventTarget<Libp2pEvents>
  peerId: PeerId
  logger: ComponentLogger
}

export interface SyncServiceEvents {
  /** the versions and revocations a session recovered, when they are few (gossip missed them) */
  'sync:recovered': CustomEvent<string[]>
}

/** A session that recovers at most this many versions passes them on by gossip. */
const SYNC_REGOSSIP_MAX = 64

export interface SyncService {
  /** sends `sync:recovered` */
  readonly events: TypedEventTarget<SyncServiceEvents>
  start (): Promise<void>
  stop (): Promise<void>
  /** syncs with one peer now */
  syncWith (peer: PeerId, options?: { signal?: AbortSignal }): Promise<SyncStats>
  readonly setSize: number
  /** resolves when no session this node started is queued or running */
  idle (): Promise<void>
}

const timestamp = (iso: string): number => {
  const ms = Date.parse(iso)
  return Number.isFinite(ms) && ms >= 0 ? ms : 0
}

/** Anti-entropy as a libp2p service (registered as `catalogueSync`). */
export function catalogueSync (init: SyncServiceInit = {}): (components: SyncServiceComponents) => SyncService {
  return components => createSyncService(components, init)
}

function createSyncService (components: SyncServiceComponents, init: SyncServiceInit): SyncService {
  const replica = components.catalogueReplica
  const { connectionManager, registrar } = components
  const log = components.logger.forComponent('gxcat:network:sync')
  const misbehaved = (peer: string): void => { components.catalogueMisbehaviour.report(peer) }
  const events = new TypedEventEmitter<SyncServiceEvents>()
  const connectedPeers = (): PeerId[] => [...connectionManager.getConnectionsMap().keys()]
  const set = createSyncSet()
  const revocationEntries = new Map<string, string>() // revocation cid → entry
  const queue = new Queue<SyncStats>({ concurrency: init.concurrency ?? 2 })
  const intervalMs = init.intervalMs ?? 60 * second
  /** versions this node's trust policy refused: valid, not stored, not to be fetched again and again */
  const refused = new Set<string>()
  /** versions a session of this node is fetching now: another session (with another peer) leaves them to it */
  const fetching = new Set<string>()
  /** the session running with each peer, whichever side started it: never two at once with one peer */
  const activeSessions = new Map<string, Promise<unknown>>()
  const during = async <T>(peer: string, session: () => Promise<T>): Promise<T> => {
    const running = session()
    const settled = running.then(() => {}, () => {})
    activeSessions.set(peer, settled)
    void settled.then(() => { if (activeSessions.get(peer) === settled) activeSessions.delete(peer) })
    return running
  }
  /** when a session with each connected peer last started (forgotten on disconnect) */
  const lastSession = new Map<string, number>()
  components.events.addEventListener('peer:disconnect', (event) => { lastSession.delete(event.detail.toString()) })
  const pushLimit = init.peerPushes ?? { versions: SYNC_PEER_PUSHES, windowMs: SYNC_PEER_PUSH_WINDOW_MS }
  const pushLimiter = new RateLimiter({ points: pushLimit.versions, duration: pushLimit.windowMs / 1000 })
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false

  const sessions = new Counter({ name: 'gxcat_sync_sessions_total', help: 'sync sessions, by role and result', labelNames: ['role', 'result'], registers: [replica.registry] })
  const bytes = new Counter({ name: 'gxcat_sync_bytes_total', help: 'bytes of sync frames, by direction', labelNames: ['direction'], registers: [replica.registry] })
  const versions = new Counter({ name: 'gxcat_sync_versions_total', help: 'versions moved by sync, by direction', labelNames: ['direction'], registers: [replica.registry] })

  const item = (ts: string, cid: string): SyncItem => ({ ts: timestamp(ts), id: idOfCid(cid) })

  replica.addEventListener('version:accepted', (event) => {
    const { verified, result } = event.detail
    if (result.supersedes != null) set.remove({ ts: 0, id: idOfCid(result.supersedes) })
    set.add(item(verified.validFrom, verified.cid))
  })
  replica.addEventListener('revocation:accepted', (event) => {
    const { revocation, result } = event.detail
    if (result.revokedVersion != null) set.remove({ ts: 0, id: idOfCid(result.revokedVersion) })
    set.add(item(revocation.revokedAt, revocation.cid))
    revocationEntries.set(revocation.cid, revocation.entry)
  })

  /**
   * A source for one session; what it stores is collected in `stored`, up to one past what is
   * passed on to gossip. Versions a peer offers (in a session it started) count against its
   * limit: past it the peer is told to stop and pulls are left to this node; a peer that offers
   * on after being told is cut off (in the session), and one that starts session after session
   * past twice the limit too.
   */
  const sessionSource = (stored: string[], offerer?: string): SyncSource => ({
    set,
    takeOffered: offerer == null
      ? undefined
      : count => {
        const left = pushLimiter.get(offerer)?.remainingPoints ?? pushLimit.versions
        try {
          // what is left of its limit is taken; an offer past it still counts, towards the cut-off
          pushLimiter.consume(offerer, left > 0 ? Math.min(count, left) : count)
          return Math.min(count, left)
        } catch (err: any) {
          if (err.consumedPoints > 2 * pushLimit.versions) throw new SyncLimitError(`${offerer} offered ${err.consumedPoints} versions in ${pushLimit.windowMs} ms, more than twice the limit of ${pushLimit.versions}`)
          return 0
        }
      },
    skip: id => refused.has(idKey(id)),
    claim: ids => ids.filter(id => {
      const key = idKey(id)
      if (fetching.has(key)) return false
      fetching.add(key)
      return true
    }),
    release: ids => { for (const id of ids) fetching.delete(idKey(id)) },
    async getJws (ids) {
      return replica.jwsOf(ids.map(cidOfId).map(cid => ({ cid, revokes: revocationEntries.get(cid) })))
    },
    async ingest (jws): Promise<IngestOutcome> {
      try {
        const fresh = isRevocationJws(jws)
          ? (await replica.revoke(jws, { source: 'sync' })).status === 'revoked'
          : (await replica.publish(jws, { source: 'sync' })).status === 'active'
        // one past the most passed on is enough to know there are too many: a late joiner's
        // session would otherwise hold every version it fetched until it ends
        if (fresh && stored.length <= SYNC_REGOSSIP_MAX) stored.push(jws)
        return fresh ? 'stored' : 'known'
      } catch (err: any) {
        // not the sender's fault: revoked here, or a did:web host we cannot reach now
        const blame = blameOf(err)
        if (blame === 'policy' || err.heldInGoodFaith === true) {
          // valid, but refused by this node's trust policy; or what the peer took when it was valid: not asked for again
          refused.add(idKey(versionDigest(jws)))
          if (refused.size > SYNC_REFUSED_MEMORY) refused.delete(refused.values().next().value as string)
          return 'known'
        }
        if (blame === 'nobody') return 'known'
        if (blame === 'this-node') throw err
        log('sync: refused a version: %s: %s', err.name, err.message)
        return 'invalid'
      }
    }
  })

  /** A few versions recovered by a session are messages gossip missed: pass them on. */
  function recovered (stored: string[]): void {
    if (stored.length > 0 && stored.length <= SYNC_REGOSSIP_MAX) events.safeDispatchEvent('sync:recovered', { detail: stored })
  }

  function record (role: 'initiator' | 'responder', peer: string, stats: SyncStats | undefined, error?: Error): void {
    sessions.inc({ role, result: error == null ? 'ok' : error.name })
    if (stats != null) {
      bytes.inc({ direction: 'sent' }, stats.bytesSent)
      bytes.inc({ direction: 'received' }, stats.bytesReceived)
      versions.inc({ direction: 'received' }, stats.fetched)
      versions.inc({ direction: 'sent' }, stats.pushed)
      if (stats.fetched + stats.pushed > 0 || stats.invalid > 0) {
        log('sync as %s with %s: %d rounds, %d bytes out, %d bytes in, %d fetched, %d pushed, %d invalid, %d ms', role, peer, stats.rounds, stats.bytesSent, stats.bytesReceived, stats.fetched, stats.pushed, stats.invalid, Math.round(stats.durationMs))
      }
      if (stats.invalid > 0) misbehaved(peer)
    }
    if (error != null) {
      log('sync as %s with %s ended: %s: %s', role, peer, error.name, error.message)
      if (/^Sync(Protocol|Limit)Error$/.test(error.name)) misbehaved(peer)
    }
  }

  async function syncWith (peer: PeerId, options: { signal?: AbortSignal } = {}): Promise<SyncStats> {
    lastSession.set(peer.toString(), Date.now())
    return queue.add(async () => {
      // a session with this peer is under way (the peer may have started it): wait for it, then reconcile what is left
      while (activeSessions.has(peer.toString())) await activeSessions.get(peer.toString())
      return during(peer.toString(), async () => initiate(peer, options))
    })
  }

  async function initiate (peer: PeerId, options: { signal?: AbortSignal }): Promise<SyncStats> {
    const stream = await connectionManager.openStream(peer, SYNC_PROTOCOL, { signal: options.signal ?? AbortSignal.timeout(10 * second) })
    const stored: string[] = []
    try {
      const stats = await initiateSync(stream, sessionSource(stored), { signal: options.signal })
      record('initiator', peer.toString(), stats)
      recovered(stored)
      return stats
    } catch (err: any) {
      record('initiator', peer.toString(), undefined, err)
      stream.abort(err)
      throw err
    }
  }

  function schedulePeriodic (): void {
    timer = setTimeout(() => {
      const peers = connectedPeers().filter(p => !activeSessions.has(p.toString()))
      if (running && peers.length > 0 && queue.size === 0) syncWith(peers[Math.floor(Math.random() * peers.length)]).catch(() => {})
      if (running) schedulePeriodic()
    }, intervalMs * (0.5 + Math.random()))
    timer.unref?.()
  }

  components.events.addEventListener('peer:identify', (event) => {
    if (!running || init.onConnect === false || !event.detail.protocols.includes(SYNC_PROTOCOL)) return
    // a session moves differences both ways: of two peers that meet, only one starts it
    if (components.peerId.toString() > event.detail.peerId.toString()) return
    // identify runs again on every identify push; one session per meeting is enough
    const peer = event.detail.peerId.toString()
    if (activeSessions.has(peer) || Date.now() - (lastSession.get(peer) ?? -Infinity) < intervalMs) return
    // at once: only this side starts, and the queue spreads the sessions of many peers met together
    syncWith(event.detail.peerId).catch(() => {})
  })

  return {
    events,
    async start () {
      for await (const reconciled of replica.reconciled()) {
        set.add(item(reconciled.at, reconciled.cid))
        if (reconciled.revokes != null) revocationEntries.set(reconciled.cid, reconciled.revokes)
      }
      await registrar.handle(SYNC_PROTOCOL, async (stream, connection) => {
        const peer = connection.remotePeer.toString()
        const stored: string[] = []
        await during(peer, async () => {
          try {
            record('responder', peer, await respondSync(stream, sessionSource(stored, peer)))
            recovered(stored)
          } catch (err: any) {
            record('responder', peer, undefined, err)
            stream.abort(err)
          }
        })
      }, { maxInboundStreams: 4 })
      running = true
      schedulePeriodic()
    },
    async stop () {
      running = false
      clearTimeout(timer)
      queue.abort()
      await registrar.unhandle(SYNC_PROTOCOL)
    },
    syncWith,
    get setSize () {
      return set.size
    },
    async idle () {
      await queue.onIdle()
    }
  }
}
