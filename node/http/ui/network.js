// The network: this node, its peers with their gossip scores, sync activity, and its entries
// over the time this page has been open.
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
  if (points.length < 2) return html`<p>Collecting (a point every ${POLL_MS / 1000} s)…</p>`
  const width = 480
  const height = 80
  const min = Math.min(...points.map(p => p.entries))
  const max = Math.max(...points.map(p => p.entries))
  const t0 = points[0].at
  const span = Math.max(1, points.at(-1).at - t0)
  const xy = points.map(p => `${((p.at - t0) / span * width).toFixed(1)},${(height - (max === min ? height / 2 : (p.entries - min) / (max - min) * height)).toFixed(1)}`)
  return html`<svg class="sparkline" viewBox="0 0 ${width} ${height}" role="img" aria-label=${`Entries from ${min} to ${max} over ${Math.round(span / 1000)} s`}>
    <polyline points=${xy.join(' ')} fill="none" stroke="currentColor" stroke-width="2" />
  </svg>`
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
        const [s, p, metrics] = await Promise.all([call('/v1/status'), call('/v1/peers'), call('/metrics', { accept: 'text/plain' })])
        if (stopped) return
        setStatus(s)
        setPeers(p.peers)
        setSync({ sessions: counter(metrics, 'gxcat_sync_sessions_total', 'result'), versions: counter(metrics, 'gxcat_sync_versions_total', 'direction'), bytes: counter(metrics, 'gxcat_sync_bytes_total', 'direction') })
        setPoints(previous => [...previous.slice(-120), { at: Date.now(), entries: s.entries }])
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
    ${status != null ? html`<dl class="summary">
      <dt>This node</dt><dd><code>${status.peerId ?? 'no network'}</code> (gxcat ${status.version})</dd>
      <dt>Addresses</dt><dd>${status.addrs.map(a => html`<code class="addr">${a}</code> `)}</dd>
      <dt>Entries</dt><dd>${status.entries.toLocaleString()} active, ${status.revoked.toLocaleString()} revoked, ${status.versions.toLocaleString()} versions kept</dd>
    </dl>` : html`<p role="status">Loading…</p>`}
    <section aria-labelledby="entries-heading"><h2 id="entries-heading">Entries over time</h2><${Sparkline} points=${points} /></section>
    <section aria-labelledby="peers-heading">
      <h2 id="peers-heading">Peers (${peers.length})</h2>
      ${peers.length === 0 ? html`<p>No peer connected.</p>` : html`<div class="table-wrap"><table class="peers">
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
