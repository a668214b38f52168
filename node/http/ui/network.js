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

function Sparkline ({ points }) {
  if (points.length < 2) return html`<p>Not enough samples yet (the node takes one a minute).</p>`
  const width = 480
  const height = 80
  const min = Math.min(...points.map(p => p.entries))
  const max = Math.max(...points.map(p => p.entries))
  const t0 = points[0].at
  const span = Math.max(1, points.at(-1).at - t0)
  const xy = points.map(p => `${((p.at - t0) / span * width).toFixed(1)},${(height - (max === min ? height / 2 : (p.entries - min) / (max - min) * height)).toFixed(1)}`)
  const minutes = Math.round(span / 60_000)
  return html`<svg class="sparkline" viewBox="0 0 ${width} ${height}" role="img" aria-label=${`Entries from ${min.toLocaleString()} to ${max.toLocaleString()} over the last ${minutes < 1 ? 'minute' : `${minutes} minutes`}`}>
    <polyline points=${xy.join(' ')} fill="none" stroke="currentColor" stroke-width="2" />
  </svg>`
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
    </dl>`
: html`<p role="status">Loading…</p>`}
    <section aria-labelledby="entries-heading"><h2 id="entries-heading">Entries over the last day</h2><${Sparkline} points=${points} /></section>
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
