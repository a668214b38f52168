/**
 * The catalogue's use of the Kademlia DHT, a libp2p service (`catalogueDht` in the node's
 * services): it puts the node's own new versions in the DHT with their index terms, paced off
 * the ingest path, and looks entries and index-term providers up.
 */
import drain from 'it-drain'
import { Queue } from '@libp2p/utils'
import { second } from '../../protocols/constants.ts'
import { entryRecordKey, indexTermCid, indexTermsOf, selectEntryRecord, type IndexTermKind } from '../../protocols/dht-records/index.ts'
import { entryId, isRevocationJws } from '../../protocols/self-description/index.ts'
import { DHT_PUTS_AT_ONCE, DHT_PUTS_PER_SECOND } from '../constants.ts'
import { NotFoundError } from '../errors.ts'
import type { NetworkCounters } from './network-counters.ts'
import type { CatalogueReplica } from '../catalogue-node-api.ts'
import type { VersionView } from '../catalogue-node-api.ts'
import type { KadDHT } from '@libp2p/kad-dht'
import type { AbortOptions, ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface DhtIndexInit {
  /** put each of this node's own new versions in the DHT, with its index terms. @default true */
  dhtPublish?: boolean
  /** how long a DHT lookup may take. @default 30 s */
  dhtTimeoutMs?: number
}

export interface DhtIndexComponents {
  catalogueReplica: CatalogueReplica
  networkCounters: NetworkCounters
  connectionManager: ConnectionManager
  dht: KadDHT
  logger: ComponentLogger
}

export interface DhtIndex {
  /** the entry from the DHT, verified and stored like any input, then read from the replica */
  fetchEntry (issuer: string, subject: string, options?: AbortOptions): Promise<VersionView>
  /** peers that provide an index term */
  findProviders (kind: IndexTermKind, value: string, options?: AbortOptions): Promise<string[]>
  /** resolves when queued puts are done */
  idle (): Promise<void>
}

interface WaitingPut { jws: string, terms: Array<[IndexTermKind, string]> }

/**
 * DHT puts are paced, off the ingest path: each is a network query, and a bulk import would
 * otherwise spend its CPU on them. Entries wait in a map (a newer version replaces a waiting
 * one) and go out at DHT_PUTS_PER_SECOND, a few at once; a node's peers hold the entries by
 * gossip and sync meanwhile, the DHT serves nodes that keep no replica.
 */
class CatalogueDht implements DhtIndex, Startable {
  private readonly components: DhtIndexComponents
  private readonly init: DhtIndexInit
  private readonly log: Logger
  private readonly queue = new Queue<void>({ concurrency: 4 })
  private readonly providedTerms = new Set<string>()
  private readonly waitingPuts = new Map<string, WaitingPut>()
  private readonly timeoutMs: number
  private pumping = false
  private running = false
  /** aborted at stop, so that queued and running DHT work does not hold the node up */
  private shutdown = new AbortController()

  constructor (components: DhtIndexComponents, init: DhtIndexInit) {
    this.components = components
    this.init = init
    this.timeoutMs = init.dhtTimeoutMs ?? 30 * second
    this.log = components.logger.forComponent('gxcat:network:dht')
    components.catalogueReplica.addEventListener('version:accepted', (event) => {
      const { verified, source } = event.detail
      if (source === 'api') this.put(verified.entry, verified.jws, indexTermsOf(verified))
    })
    components.catalogueReplica.addEventListener('revocation:accepted', (event) => {
      const { revocation, source } = event.detail
      if (source === 'api') this.put(revocation.entry, revocation.jws, [])
    })
  }

  readonly [Symbol.toStringTag] = 'gxcat/dht-index'

  start (): void {
    this.shutdown = new AbortController()
    this.running = true
  }

  beforeStop (): void {
    this.running = false
    this.shutdown.abort()
    this.waitingPuts.clear()
    this.queue.clear()
  }

  stop (): void {}

  private put (entry: string, jws: string, terms: Array<[IndexTermKind, string]>): void {
    // alone, there is no DHT to put to: a peer that comes later gets the entry by sync
    if (this.init.dhtPublish === false || !this.running || this.components.connectionManager.getConnectionsMap().size === 0) return
    this.waitingPuts.delete(entry)
    this.waitingPuts.set(entry, { jws, terms })
    if (!this.pumping) void this.pump()
  }

  private async pump (): Promise<void> {
    this.pumping = true
    try {
      while (this.running && this.waitingPuts.size > 0) {
        const [entry, { jws, terms }] = this.waitingPuts.entries().next().value as [string, WaitingPut]
        this.waitingPuts.delete(entry)
        await this.queue.onSizeLessThan(DHT_PUTS_AT_ONCE, { signal: this.shutdown.signal })
        void this.queue.add(async () => { await this.putEntry(entry, jws, terms) }).catch(() => {})
        await new Promise(resolve => setTimeout(resolve, 1000 / DHT_PUTS_PER_SECOND))
      }
    } catch {
      // stopping
    } finally {
      this.pumping = false
    }
  }

  private async putEntry (entry: string, jws: string, terms: Array<[IndexTermKind, string]>): Promise<void> {
    const { dht, networkCounters } = this.components
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.timeoutMs)])
    try {
      await drain(dht.put(entryRecordKey(entry), new TextEncoder().encode(jws), { signal }))
      networkCounters.dhtPuts++
      for (const [kind, value] of terms) {
        const key = `${kind}:${value}`
        if (this.providedTerms.has(key)) continue
        this.providedTerms.add(key)
        await drain(dht.provide(indexTermCid(kind, value), { signal }))
      }
    } catch (err: any) {
      networkCounters.dhtPutFailures++
      this.log('putting entry %s in the DHT failed: %s', entry, err.message)
    }
  }

  private lookupSignal (options: AbortOptions): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs)
    return options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
  }

  async fetchEntry (issuer: string, subject: string, options: AbortOptions = {}): Promise<VersionView> {
    const replica = this.components.catalogueReplica
    const entry = entryId(issuer, subject)
    const values: Uint8Array[] = []
    try {
      for await (const event of this.components.dht.get(entryRecordKey(entry), { signal: this.lookupSignal(options) })) {
        if (event.name === 'VALUE') values.push(event.value)
      }
    } catch (err: any) {
      this.log('DHT lookup of %s ended: %s', entry, err.message)
    }
    if (values.length === 0) throw new NotFoundError(`no entry for subject ${subject} by ${issuer} in this replica nor in the DHT`)
    const jws = new TextDecoder().decode(values[selectEntryRecord(entryRecordKey(entry), values)])
    if (isRevocationJws(jws)) await replica.revoke(jws, { source: 'dht' })
    else await replica.publish(jws, { source: 'dht' })
    return replica.getEntry(issuer, subject)
  }

  async findProviders (kind: IndexTermKind, value: string, options: AbortOptions = {}): Promise<string[]> {
    const found = new Set<string>()
    try {
      for await (const event of this.components.dht.findProviders(indexTermCid(kind, value), { signal: this.lookupSignal(options) })) {
        if (event.name === 'PROVIDER') for (const p of event.providers) found.add(p.id.toString())
      }
    } catch (err: any) {
      this.log('finding providers of %s:%s ended: %s', kind, value, err.message)
    }
    return [...found]
  }

  async idle (): Promise<void> {
    while (this.running && (this.waitingPuts.size > 0 || this.pumping)) await new Promise(resolve => setTimeout(resolve, 1000 / DHT_PUTS_PER_SECOND))
    await this.queue.onIdle()
  }
}

export function catalogueDht (init: DhtIndexInit = {}): (components: DhtIndexComponents) => DhtIndex {
  return components => new CatalogueDht(components, init)
}
