// Search: full text, facets by Gaia-X compliance label, type, issuer and keyword, pages by
// cursor; publishing with the operator's token.
import { useEffect, useState } from 'preact/hooks'
import { call, entryHref, titleOf } from './api.js'
import { html } from './html.js'

const PAGE = 20

function query ({ q, type, issuer, keyword, label, all }, cursor) {
  const params = new URLSearchParams({ limit: String(PAGE) })
  if (label != null && !all) params.set('label', label)
  if (type != null) params.set('type', type)
  if (issuer != null) params.set('issuer', issuer)
  // the history of versions is listed by type and issuer only (the node keeps word postings for current versions)
  if (all) params.set('status', 'all')
  else {
    if (q.trim() !== '') params.set('q', q.trim())
    if (keyword != null) params.append('where', `gx:keyword=${keyword}`)
  }
  if (cursor != null) params.set('cursor', cursor)
  return `/v1/self-descriptions?${params}`
}

function Facet ({ title, name, values, selected, onSelect }) {
  if (values.length === 0) return null
  return html`<section class="facet" aria-labelledby=${`facet-${name}`}>
    <h2 id=${`facet-${name}`}>${title}</h2>
    <ul>
      ${values.map(({ value, count }) => html`<li>
        <button type="button" class="facet-value" aria-pressed=${selected === value ? 'true' : 'false'} onClick=${() => onSelect(selected === value ? undefined : value)}>
          <span class="value">${value}</span> <span class="count">${count.toLocaleString()}</span>
        </button>
      </li>`)}
    </ul>
  </section>`
}

export function Status ({ status }) {
  return html`<span class=${`status status-${status}`}>${status}</span>`
}

/** The Gaia-X compliance label that counts for a version, as a badge; nothing when none does. */
export function ComplianceBadge ({ compliance }) {
  if (compliance == null) return null
  return html`<span class="badge-compliance" title=${`Gaia-X compliance label ${compliance.label}, by ${compliance.issuer}${compliance.validUntil != null ? `, valid until ${compliance.validUntil.slice(0, 10)}` : ''}`}>Gaia-X ${compliance.label}</span>`
}

function Result ({ item }) {
  return html`<li class="result">
    <a href=${entryHref(item.issuer, item.subject)}>${titleOf(item)}</a> <${Status} status=${item.status} /> <${ComplianceBadge} compliance=${item.compliance} />
    <div class="meta">
      <span>${item.types.join(', ')}</span> · <span class="issuer">${item.issuer}</span> · <span>valid from ${item.validFrom.slice(0, 10)}</span>
    </div>
  </li>`
}

function Publish () {
  const [jws, setJws] = useState('')
  const [outcome, setOutcome] = useState(undefined)
  const submit = async event => {
    event.preventDefault()
    try {
      const result = await call('/v1/self-descriptions', { method: 'POST', body: jws.trim(), type: 'application/vc+jwt' })
      setOutcome({ ok: true, text: `${result.status ?? 'published'}${result.cid != null ? `: ${result.cid}` : ''}` })
      setJws('')
    } catch (err) {
      setOutcome({ ok: false, text: `${err.name}: ${err.message}` })
    }
  }
  return html`<details class="publish">
    <summary>Publish a credential</summary>
    <form onSubmit=${submit}>
      <label for="publish-jws">VC-JWT or VP-JWT</label>
      <textarea id="publish-jws" rows="4" value=${jws} onInput=${e => setJws(e.currentTarget.value)} required></textarea>
      <button type="submit">Publish</button>
      ${outcome != null ? html`<p role="status" class=${outcome.ok ? 'ok' : 'error'}>${outcome.text}</p>` : null}
    </form>
  </details>`
}

export function SearchPage ({ writer }) {
  const [form, setForm] = useState({ q: '', type: undefined, issuer: undefined, keyword: undefined, label: undefined, all: false })
  const [text, setText] = useState('')
  const [facets, setFacets] = useState(undefined)
  const [page, setPage] = useState({ items: [], next: null })
  const [cursors, setCursors] = useState([undefined])
  const [error, setError] = useState(undefined)
  const [loading, setLoading] = useState(false)

  useEffect(() => { call('/v1/facets?limit=12').then(setFacets, err => setError(`${err.name}: ${err.message}`)) }, [])
  useEffect(() => {
    const controller = new AbortController()
    setLoading(true)
    call(query(form, cursors.at(-1)), { signal: controller.signal }).then(
      result => { setPage(result); setError(undefined); setLoading(false) },
      err => { if (err.name !== 'AbortError') { setError(`${err.name}: ${err.message}`); setLoading(false) } })
    return () => controller.abort()
  }, [form, cursors])

  const change = patch => { setForm({ ...form, ...patch }); setCursors([undefined]) }
  const submit = event => { event.preventDefault(); change({ q: text }) }
  const first = (cursors.length - 1) * PAGE + 1
  return html`
    <h1 tabindex="-1">Search the catalogue</h1>
    <form class="search" role="search" onSubmit=${submit}>
      <label for="q">Words</label>
      <input id="q" type="search" value=${text} onInput=${e => setText(e.currentTarget.value)} placeholder="e.g. storage frankfurt" disabled=${form.all} aria-describedby="all-hint" />
      <button type="submit" disabled=${form.all}>Search</button>
      <label class="inline"><input type="checkbox" checked=${form.all} onChange=${e => { setText(''); change({ all: e.currentTarget.checked, q: '', keyword: undefined, label: undefined }) }} /> include superseded and revoked versions</label>
      ${form.all ? html`<p id="all-hint" class="hint">Every version, newest last, by type and issuer: words and keywords search current versions only.</p>` : null}
    </form>
    ${writer ? html`<${Publish} />` : null}
    <div class="layout">
      <aside aria-label="Facets">
        ${facets != null
? html`
          <p class="total">${facets.entries.toLocaleString()} entries</p>
          ${form.all ? null : html`<${Facet} title="Gaia-X compliance (this level or higher)" name="label" values=${facets.labels ?? []} selected=${form.label} onSelect=${label => change({ label })} />`}
          <${Facet} title="Type" name="type" values=${facets.types} selected=${form.type} onSelect=${type => change({ type })} />
          <${Facet} title="Issuer" name="issuer" values=${facets.issuers} selected=${form.issuer} onSelect=${issuer => change({ issuer })} />
          ${form.all ? null : html`<${Facet} title="Keyword" name="keyword" values=${facets.keywords} selected=${form.keyword} onSelect=${keyword => change({ keyword })} />`}`
: null}
      </aside>
      <section class="results" aria-labelledby="results-heading" aria-busy=${loading ? 'true' : 'false'}>
        <h2 id="results-heading">Results</h2>
        ${error != null ? html`<p role="alert" class="error">${error}</p>` : null}
        <p role="status" class="count">${page.items.length === 0 ? (loading ? 'Searching…' : 'No entries match.') : `Entries ${first}–${first + page.items.length - 1}`}</p>
        <ol class="result-list" start=${first}>${page.items.map(item => html`<${Result} key=${item.cid} item=${item} />`)}</ol>
        <nav class="pager" aria-label="Result pages">
          <button type="button" disabled=${cursors.length <= 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <button type="button" disabled=${page.next == null} onClick=${() => setCursors([...cursors, page.next])}>Next page</button>
        </nav>
      </section>
    </div>`
}
