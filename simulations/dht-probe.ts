/**
 * The DHT measured: once the nodes have converged, `puts` random nodes put an entry's record
 * under the catalogue's namespace, and `gets` random other nodes look one up, among the nodes
 * alive at the time (under churn, nodes leave and join meanwhile: a record held only by nodes
 * that left is lost, which the success ratio shows). For each: the time it took, whether it
 * succeeded, and for a get the peers that answered before the value came (the lookup's hops).
 * The figures stand beside the IPFS DHT's in the report.
 */
import { MAX_CREDENTIAL_BYTES } from '../protocols/constants.ts'
import { entryRecordKey } from '../protocols/dht-records/index.ts'
import { decodeJws } from '../protocols/self-description/jws.ts'
import { checkCredential } from '../protocols/self-description/verify.ts'
import type { SimNode } from './harness.ts'

export interface DhtOperation {
  ms: number
  ok: boolean
  /** peers that answered before the value came (gets) or that were asked to store it (puts) */
  peers: number
}

export interface DhtProbeResult {
  puts: DhtOperation[]
  gets: DhtOperation[]
  /** nodes that left (and as many joined) while the probe ran */
  churned?: number
}

/** How long one DHT operation may take before it counts as failed. */
const DHT_PROBE_TIMEOUT_MS = 30_000

/** The DHT key of a credential's entry, the entry read as a node reads it. */
function recordKey (jws: string): Uint8Array {
  return entryRecordKey(checkCredential(decodeJws(jws, MAX_CREDENTIAL_BYTES, 'a probed credential'), Date.now()).entry)
}

export async function probeDht (live: () => SimNode[], credentials: string[], plan: { puts: number, gets: number }, random: () => number): Promise<DhtProbeResult> {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]
  const put: Array<{ key: Uint8Array, value: Uint8Array, by: SimNode }> = []
  const puts: DhtOperation[] = []
  for (const jws of credentials.slice(0, plan.puts)) {
    const by = pick(live())
    const key = recordKey(jws)
    const value = new TextEncoder().encode(jws)
    const dht = by.network.libp2p.services.dht
    const started = performance.now()
    let peers = 0
    let ok = dht != null
    try {
      for await (const event of dht?.put(key, value, { signal: AbortSignal.timeout(DHT_PROBE_TIMEOUT_MS) }) ?? []) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') peers++
      }
    } catch {
      ok = false
    }
    ok &&= peers > 0
    puts.push({ ms: performance.now() - started, ok, peers })
    if (ok) put.push({ key, value, by })
  }
  const gets: DhtOperation[] = []
  for (let i = 0; i < plan.gets && put.length > 0; i++) {
    const record = pick(put)
    const others = live().filter(n => n !== record.by)
    if (others.length === 0) break
    const by = pick(others)
    const dht = by.network.libp2p.services.dht
    const started = performance.now()
    let peers = 0
    let ok = false
    try {
      for await (const event of dht?.get(record.key, { signal: AbortSignal.timeout(DHT_PROBE_TIMEOUT_MS) }) ?? []) {
        if (event.name === 'PEER_RESPONSE') peers++
        if (event.name === 'VALUE' && Buffer.from(event.value).equals(Buffer.from(record.value))) {
          ok = true
          break // the time to the first value, as retrieval is measured in the IPFS studies
        }
      }
    } catch {
      ok = false
    }
    gets.push({ ms: performance.now() - started, ok, peers })
  }
  return { puts, gets }
}
