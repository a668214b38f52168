// The network: this node, its peers with their gossip scores, sync activity, and its entries
// over the last day (the node samples them every minute since it started).
import { useEffect, useState } from 'preact/hooks'
import { call } from './api.js'
import { html } from './html.js'

const POLL_MS = 5000

/** Sums of a Prometheus counter's samples, by the value of one label. */
function counter (metrics, name, label) {
  const out = {}
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue
    const match = line.match(new RegExp(`${label}="([^"]*)"`))
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    const key = match?.[1] ?? 'all'
    out[key] = (out[key] ?? 0) + value
  }
  return out
}

/** A time of day, to the second where the chart spans less than ten minutes. */
const timeOf = seconds => at => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' })

/** Tick values from min to max: both ends and the middle, whole numbers, once each. */
function ticks (min, max) {
  return [...new Set([min, Math.round((min + max) / 2), max])]
}

/** The entries the node held, sampled every minute: axes with units, each sample's value on hover. */
function HistoryChart ({ points }) {
  const [hovered, setHovered] = useState(undefined)
  if (points.length < 2) return html`<p>Not enough samples yet (the node takes one a minute).</p>`
  const width = 560
  const height = 200
  const left = 64
  const right = 16
  const top = 12
  const bottom = 40
  const plotWidth = width - left - right
  const plotHeight = height - top - bottom
  const lowest = Math.min(...points.map(p => p.entries))
  const highest = Math.max(...points.map(p => p.entries))
  // a flat line sits in the middle of a scale one entry either side
  const min = highest === lowest ? Math.max(0, lowest - 1) : lowest
  const max = highest === lowest ? lowest + 1 : highest
  const t0 = points[0].at
  const span = Math.max(1, points.at(-1).at - t0)
  const x = at => left + (at - t0) / span * plotWidth
  const y = entries => top + plotHeight - (entries - min) / (max - min) * plotHeight
  const minutes = Math.round(span / 60_000)
  const time = timeOf(span < 600_000)
  const readout = hovered == null ? undefined : `${time(hovered.at)}: ${hovered.entries.toLocaleString()} entries`
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label=${`Entries from ${lowest.toLocaleString()} to ${highest.toLocaleString()} over the last ${minutes <= 1 ? 'minute' : `${minutes} minutes`}`}>
    <line class="axis" x1=${left} y1=${top} x2=${left} y2=${top + plotHeight} />
    <line class="axis" x1=${left} y1=${top + plotHeight} x2=${left + plotWidth} y2=${top + plotHeight} />
    ${ticks(min, max).map(n => html`<g>
      <line class="grid" x1=${left} x2=${left + plotWidth} y1=${y(n)} y2=${y(n)} />
      <text class="tick" x=${left - 6} y=${y(n) + 4} text-anchor="end">${n.toLocaleString()}</text>
    </g>`)}
    ${[t0, t0 + span / 2, t0 + span].map((at, i) => html`<text class="tick" x=${x(at)} y=${top + plotHeight + 16} text-anchor=${['start', 'middle', 'end'][i]}>${time(at)}</text>`)}
    <text class="axis-title" x=${left + plotWidth / 2} y=${height - 4} text-anchor="middle">time (this browser's clock)</text>
    <text class="axis-title" x="12" y=${top + plotHeight / 2} text-anchor="middle" transform=${`rotate(-90 12 ${top + plotHeight / 2})`}>entries</text>
    <polyline points=${points.map(p => `${x(p.at).toFixed(1)},${y(p.entries).toFixed(1)}`).join(' ')} fill="none" stroke="currentColor" stroke-width="2" />
    ${points.map(p => html`<circle class=${`sample${hovered === p ? ' hovered' : ''}`} cx=${x(p.at).toFixed(1)} cy=${y(p.entries).toFixed(1)} r="4"
      onMouseEnter=${() => setHovered(p)} onMouseLeave=${() => setHovered(undefined)}><title>${time(p.at)}: ${p.entries.toLocaleString()} entries</title></circle>`)}
    ${readout != null ? html`<text class="readout" x=${left + plotWidth} y=${top + 4} text-anchor="end">${readout}</text>` : null}
  </svg>`
}

/** Whether others can dial this node and why, how it takes part in the DHT, and through which relays. */
function reachabilityOf ({ reachability, reason, dht, relays }) {
  const role = dht === 'server' ? 'serves the DHT' : dht === 'client' ? 'asks the DHT, never answers or stores' : 'no DHT'
  const through = relays?.length > 0 ? `; reachable through ${relays.length === 1 ? 'relay' : 'relays'} ${relays.join(', ')}` : ''
  return `${reachability} (${reason}): ${role}${through}`
}

function sparqlState (sparql) {
  if (sparql?.state === 'rebuilding') return `index being loaded: ${sparql.loaded.toLocaleString()} of ${sparql.total.toLocaleString()} entries (queries answer once it is done)`
  return sparql?.state === 'off' ? 'off on this node' : 'ready'
}

export function NetworkPage () {
  const [status, setStatus] = useState(undefined)
  const [peers, setPeers] = useState([])
  const [sync, setSync] = useState(undefined)
  const [points, setPoints] = useState([])
  const [error, setError] = useState(undefined)
  useEffect(() => {
    let stopped = false
    const poll = async () => {
      try {
        const [s, p, metrics, history] = await Promise.all([call('/v1/status'), call('/v1/peers'), call('/metrics', { accept: 'text/plain' }), call('/v1/history')])
        if (stopped) return
        setStatus(s)
        setPeers(p.peers)
        setSync({ sessions: counter(metrics, 'gxcat_sync_sessions_total', 'result'), versions: counter(metrics, 'gxcat_sync_versions_total', 'direction'), bytes: counter(metrics, 'gxcat_sync_bytes_total', 'direction') })
        setPoints(history.points)
        setError(undefined)
      } catch (err) {
        if (!stopped) setError(`${err.name}: ${err.message}`)
      }
    }
    poll()
    const timer = setInterval(poll, POLL_MS)
    return () => { stopped = true; clearInterval(timer) }
  }, [])
  const pairs = object => Object.entries(object ?? {}).map(([k, v]) => `${k} ${v.toLocaleString()}`).join(', ') || 'none yet'
  return html`
    <h1 tabindex="-1">Network</h1>
    ${error != null ? html`<p role="alert" class="error">${error}</p>` : null}
    ${status != null
? html`<dl class="summary">
      <dt>This node</dt><dd><code>${status.peerId ?? 'no network'}</code> (gxcat ${status.version})</dd>
      <dt>Addresses</dt><dd>${status.addrs.map(a => html`<code class="addr">${a}</code> `)}</dd>
      <dt>Entries</dt><dd>${status.entries.toLocaleString()} active, ${status.revoked.toLocaleString()} revoked, ${status.versions.toLocaleString()} versions kept</dd>
      <dt>SPARQL</dt><dd>${sparqlState(status.sparql)}</dd>
      <dt>Reachability</dt><dd>${reachabilityOf(status)}</dd>
    </dl>`
: html`<p role="status">Loading…</p>`}
    <section aria-labelledby="entries-heading"><h2 id="entries-heading">Entries over the last day</h2><${HistoryChart} points=${points} /></section>
    <section aria-labelledby="peers-heading">
      <h2 id="peers-heading">Peers (${peers.length})</h2>
      ${peers.length === 0
? html`<p>No peer connected.</p>`
: html`<div class="table-wrap"><table class="peers">
        <thead><tr><th scope="col">Peer</th><th scope="col">Gossip score</th><th scope="col">Addresses</th></tr></thead>
        <tbody>${peers.map(p => html`<tr><td><code>${p.peerId}</code></td><td>${p.score != null ? p.score.toFixed(2) : '–'}</td><td>${p.addrs.map(a => html`<code class="addr">${a}</code> `)}</td></tr>`)}</tbody>
      </table></div>`}
    </section>
    <section aria-labelledby="sync-heading">
      <h2 id="sync-heading">Sync</h2>
      <dl class="summary">
        <dt>Sessions</dt><dd>${pairs(sync?.sessions)}</dd>
        <dt>Versions moved</dt><dd>${pairs(sync?.versions)}</dd>
        <dt>Bytes</dt><dd>${pairs(sync?.bytes)}</dd>
      </dl>
    </section>`
}
