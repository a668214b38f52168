/**
 * What gossipsub itself counts on the wire, kept as plain totals: RPCs and their bytes,
 * messages, duplicates (a message received again, before validation), and the control messages
 * IHAVE, IWANT, GRAFT and PRUNE, each way. Fed by gossipsub's own metrics hooks through a
 * minimal MetricsRegister (no Prometheus registry per node: simulations run thousands), so the
 * figures are the ones gossipsub papers report, not what the catalogue's validator saw.
 */
import type { MetricsRegister } from '@libp2p/gossipsub/metrics'

export interface GossipWireCounts {
  rpcsReceived: number
  rpcsSent: number
  /** encoded RPC bytes (messages and control, before stream framing) */
  bytesReceived: number
  bytesSent: number
  messagesReceived: number
  messagesSent: number
  /** messages received that this node had already seen */
  duplicatesReceived: number
  ihaveReceived: number
  ihaveSent: number
  iwantReceived: number
  iwantSent: number
  graftReceived: number
  graftSent: number
  pruneReceived: number
  pruneSent: number
}

/** gossipsub's metric names, and the total each feeds */
const TOTALS: Record<string, keyof GossipWireCounts> = {
  gossipsub_rpc_recv_count_total: 'rpcsReceived',
  gossipsub_rpc_sent_count_total: 'rpcsSent',
  gossipsub_rpc_recv_bytes_total: 'bytesReceived',
  gossipsub_rpc_sent_bytes_total: 'bytesSent',
  gossipsub_rpc_recv_message_total: 'messagesReceived',
  gossipsub_rpc_sent_message_total: 'messagesSent',
  gossipsub_pre_validation_duplicate_total: 'duplicatesReceived',
  gossipsub_rpc_recv_ihave_total: 'ihaveReceived',
  gossipsub_rpc_sent_ihave_total: 'ihaveSent',
  gossipsub_rpc_recv_iwant_total: 'iwantReceived',
  gossipsub_rpc_sent_iwant_total: 'iwantSent',
  gossipsub_rpc_recv_graft_total: 'graftReceived',
  gossipsub_rpc_sent_graft_total: 'graftSent',
  gossipsub_rpc_recv_prune_total: 'pruneReceived',
  gossipsub_rpc_sent_prune_total: 'pruneSent'
}

export interface GossipWireMetrics {
  /** for gossipsub's `metricsRegister` option */
  readonly register: MetricsRegister
  /** for gossipsub's `metricsTopicStrToLabel` option */
  readonly topicStrToLabel: Map<string, string>
  counts (): GossipWireCounts
}

export function emptyWireCounts (): GossipWireCounts {
  return Object.fromEntries(Object.values(TOTALS).map(key => [key, 0])) as unknown as GossipWireCounts
}

export function createGossipWireMetrics (topics: readonly string[]): GossipWireMetrics {
  const counts = emptyWireCounts()
  const ignore = (): void => {}
  const register = {
    gauge (config: { name: string }) {
      const total = TOTALS[config.name]
      return {
        // inc(value) without labels, inc(labels, value) with them; the value defaults to 1
        inc: total == null ? ignore : (a?: unknown, b?: number) => { counts[total] += (typeof a === 'number' ? a : b) ?? 1 },
        set: ignore,
        addCollect: ignore
      }
    },
    histogram () {
      return { startTimer: () => ignore, observe: ignore, reset: ignore }
    },
    avgMinMax () {
      return { set: ignore }
    }
  } as unknown as MetricsRegister
  return {
    register,
    topicStrToLabel: new Map(topics.map(topic => [topic, topic])),
    counts: () => ({ ...counts })
  }
}
