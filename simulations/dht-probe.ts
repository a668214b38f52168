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

export async function probeDht (live: () => SimNode[], credentials: string[], plan: { puts: number, gets: number, parallel: number }, random: () => number): Promise<DhtProbeResult> {
  // every draw made up front, in order, so that a seed gives the same plan whatever finishes first
  const pick = <T>(list: T[], draw: number): T => list[Math.floor(draw * list.length)]
  const putPlan = credentials.slice(0, plan.puts).map((jws, index) => ({ jws, index, draw: random() }))
  const getPlan = Array.from({ length: plan.gets }, () => ({ record: random(), by: random() }))
  const put: Array<{ key: Uint8Array, value: Uint8Array, by: SimNode, index: number }> = []
  const puts: DhtOperation[] = []
  // `parallel` operations at a time: 1 times each alone; more load the nodes as many users would
  await inParallel(plan.parallel, putPlan, async ({ jws, index, draw }) => {
    const by = pick(live(), draw)
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
    if (ok) put.push({ key, value, by, index })
  })
  const gets: DhtOperation[] = []
  if (put.length === 0) return { puts, gets }
  put.sort((a, b) => a.index - b.index)
  await inParallel(plan.parallel, getPlan, async draws => {
    const record = pick(put, draws.record)
    const others = live().filter(n => n !== record.by)
    if (others.length === 0) return
    const by = pick(others, draws.by)
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
  })
  return { puts, gets }
}

/** Runs `fn` over `items`, `parallel` at a time. */
async function inParallel<T> (parallel: number, items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
}
