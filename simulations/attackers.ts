/**
 * What an attacking simulated node does (scenario `attackers`): `forge` floods versions whose
 * payload was changed after signing (a new subject, so each would be a new entry), `stale`
 * floods old versions (validFrom moved back, which breaks the signature too), `withhold` takes
 * part in the mesh but never forwards anything. Shared by the one-process and multi-process runs.
 */
import { CATALOGUE_TOPIC } from '../protocols/constants.ts'
import { encodeGossipMessage } from '../protocols/gossip/index.ts'
import { entryId, payloadOfVerifiedJws } from '../protocols/self-description/index.ts'
import type { SimNode } from './harness.ts'
import type { AttackBehaviour } from './scenario.ts'

/** Starts the attack of one node; returns a function that stops it. Forged entries are reported to `onForged`. */
export function startAttack (sim: SimNode, behaviour: AttackBehaviour, ratePerSecond: number, credentials: string[], onForged: (entry: string) => void): () => void {
  const pubsub = sim.network.libp2p.services.pubsub
  if (behaviour === 'withhold') {
    pubsub?.topicValidators.set(CATALOGUE_TOPIC, async () => 'ignore' as any)
    return () => {}
  }
  let n = 0
  const timer = setInterval(() => {
    const base = credentials[n++ % credentials.length]
    const [h, , s] = base.split('.')
    const payload = payloadOfVerifiedJws(base)
    if (behaviour === 'forge') {
      payload.credentialSubject.id = `https://forged.example/${sim.index}/${n}`
      onForged(entryId(payload.issuer, payload.credentialSubject.id))
    } else {
      payload.validFrom = '2020-01-01T00:00:00Z'
    }
    const jws = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`
    pubsub?.publish(CATALOGUE_TOPIC, encodeGossipMessage({ kind: 'version', jws })).catch(() => {})
  }, 1000 / Math.max(0.1, ratePerSecond))
  return () => { clearInterval(timer) }
}
