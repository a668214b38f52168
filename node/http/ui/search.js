// Search: full text, facets by Gaia-X compliance label, type, issuer and keyword, pages by
// cursor; publishing with the operator's token.
import { useEffect, useState } from 'preact/hooks'
import { call, entryHref, titleOf } from './api.js'
import { html } from './html.js'

const PAGE = 20
/** values a facet shows before "Show more" */
const SHOWN = 12
/** values per facet asked for: enough to show more than SHOWN, and then all (the node's most) */
const FACETS_FIRST = 50
const FACETS_ALL = 1000

/** The filters of a search, as the listing and the facets take them. */
function filters ({ q, type, issuer, keyword, label, all }) {
  const params = new URLSearchParams()
  if (label != null && !all) params.set('label', label)
  if (type != null) params.set('type', type)
  if (issuer != null) params.set('issuer', issuer)
  // the history of versions is listed by type and issuer only (the node keeps word postings for current versions)
  if (!all) {
    if (q.trim() !== '') params.set('q', q.trim())
    if (keyword != null) params.append('where', `gx:keyword=${keyword}`)
  }
  return params
}

function query (form, cursor) {
  const params = filters(form)
  params.set('limit', String(PAGE))
  if (form.all) params.set('status', 'all')
  if (cursor != null) params.set('cursor', cursor)
  return `/v1/self-descriptions?${params}`
}

/** The search a URL's hash holds (#/?q=…&type=…), so that the back button and "Back to results" return to it. */
function formOfHash () {
  const params = new URLSearchParams(location.hash.replace(/^#\/?\??/, ''))
  const keyword = params.get('keyword') ?? undefined
  return {
    q: params.get('q') ?? '',
    type: params.get('type') ?? undefined,
    issuer: params.get('issuer') ?? undefined,
    keyword,
    label: params.get('label') ?? undefined,
    all: params.get('all') === 'true'
  }
}

function hashOfForm (form) {
  const params = new URLSearchParams()
  for (const name of ['q', 'type', 'issuer', 'keyword', 'label']) if (form[name] != null && form[name] !== '') params.set(name, form[name])
  if (form.all) params.set('all', 'true')
  const text = params.toString()
  return text === '' ? '#/' : `#/?${text}`
}

const LAST_SEARCH = 'gxcat-last-search'

/** Where "Back to results" leads: the last search this tab made. */
export function lastSearchHref () {
  return sessionStorage.getItem(LAST_SEARCH) ?? '#/'
}

/** An issuer as people read it: its legal name where the catalogue holds its own LegalPerson, the DID beside it. */
export function IssuerName ({ issuer, name }) {
  if (name == null) return html`<span class="issuer">${issuer}</span>`
  return html`<span class="issuer"><span class="issuer-name">${name}</span> <code class="did">${issuer}</code></span>`
}

function Facet ({ title, name, values, selected, onSelect }) {
  const [expanded, setExpanded] = useState(false)
  if (values.length === 0) return null
  // the selected value stays in view, however far down it is
  const shown = expanded ? values : values.filter((v, i) => i < SHOWN || v.value === selected)
  const hidden = values.length - shown.length
  return html`<section class="facet" aria-labelledby=${`facet-${name}`}>
    <h2 id=${`facet-${name}`}>${title}</h2>
    <ul>
      ${shown.map(({ value, count, name: label }) => html`<li key=${value}>
        <button type="button" class="facet-value" title=${label != null ? value : undefined} aria-pressed=${selected === value ? 'true' : 'false'} onClick=${() => onSelect(selected === value ? undefined : value)}>
          <span class="value">${label ?? value}</span> <span class="count">${count.toLocaleString()}</span>
        </button>
      </li>`)}
    </ul>
    ${hidden > 0 || expanded
? html`<button type="button" class="facet-more" aria-expanded=${expanded ? 'true' : 'false'} onClick=${() => setExpanded(!expanded)}>
      ${expanded ? 'Show fewer' : `Show ${hidden.toLocaleString()} more`}</button>`
: null}
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
      <span>${item.types.join(', ')}</span> · <${IssuerName} issuer=${item.issuer} name=${item.issuerName} /> · <span>valid from ${item.validFrom.slice(0, 10)}</span>
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
  const [form, setForm] = useState(formOfHash)
  const [text, setText] = useState(form.q)
  const [facets, setFacets] = useState(undefined)
  const [allFacets, setAllFacets] = useState(false)
  const [page, setPage] = useState({ items: [], next: null })
  const [cursors, setCursors] = useState([undefined])
  const [error, setError] = useState(undefined)
  const [loading, setLoading] = useState(false)

  // the facets count within the search: the same filters as the listing
  useEffect(() => {
    const controller = new AbortController()
    const params = filters(form)
    params.set('limit', String(allFacets ? FACETS_ALL : FACETS_FIRST))
    call(`/v1/facets?${params}`, { signal: controller.signal }).then(setFacets, err => { if (err.name !== 'AbortError') setError(`${err.name}: ${err.message}`) })
    return () => controller.abort()
  }, [form, allFacets])
  useEffect(() => {
    const controller = new AbortController()
    setLoading(true)
    call(query(form, cursors.at(-1)), { signal: controller.signal }).then(
      result => { setPage(result); setError(undefined); setLoading(false) },
      err => { if (err.name !== 'AbortError') { setError(`${err.name}: ${err.message}`); setLoading(false) } })
    return () => controller.abort()
  }, [form, cursors])
  useEffect(() => {
    const hash = hashOfForm(form)
    if (location.hash !== hash && !(hash === '#/' && location.hash === '')) history.replaceState(null, '', hash)
    sessionStorage.setItem(LAST_SEARCH, hash)
  }, [form])

  const change = patch => { setForm({ ...form, ...patch }); setCursors([undefined]) }
  const submit = event => { event.preventDefault(); change({ q: text }) }
  const first = (cursors.length - 1) * PAGE + 1
  const narrowed = filters(form).toString() !== '' || form.all
  const facet = (title, name, values, selected) => html`<${Facet} title=${title} name=${name} values=${values ?? []} selected=${selected}
    onSelect=${value => change({ [name]: value })} />`
  return html`
    <h1 tabindex="-1">Search the catalogue</h1>
    <form class="search" role="search" onSubmit=${submit}>
      <label for="q">Words</label>
      <input id="q" type="search" value=${text} onInput=${e => setText(e.currentTarget.value)} placeholder="e.g. storage frankfurt" disabled=${form.all} aria-describedby="all-hint" />
      <button type="submit" disabled=${form.all}>Search</button>
      <label class="inline"><input type="checkbox" checked=${form.all} onChange=${e => { setText(''); change({ all: e.currentTarget.checked, q: '', keyword: undefined, label: undefined }) }} /> include superseded and revoked versions</label>
      ${form.all ? html`<p id="all-hint" class="hint">Every version, newest last, by type and issuer: words and keywords search current versions only; the facets count current entries.</p>` : null}
    </form>
    ${writer ? html`<${Publish} />` : null}
    ${facets?.warning != null ? html`<p role="note" class="warning">${facets.warning}</p>` : null}
    <div class="layout">
      <aside aria-label="Facets">
        ${facets != null
? html`
          <p class="total">${narrowed ? `${facets.entries.toLocaleString()} current ${facets.entries === 1 ? 'entry matches' : 'entries match'}` : `${facets.entries.toLocaleString()} entries`}</p>
          ${form.all ? null : facet('Gaia-X compliance (this level or higher)', 'label', facets.labels, form.label)}
          ${facet('Type', 'type', facets.types, form.type)}
          ${facet('Issuer', 'issuer', facets.issuers, form.issuer)}
          ${form.all ? null : facet('Keyword', 'keyword', facets.keywords, form.keyword)}
          ${!allFacets && [facets.types, facets.issuers, facets.keywords].some(v => v.length === FACETS_FIRST)
? html`<button type="button" class="facet-more" onClick=${() => setAllFacets(true)}>Count every value (up to ${FACETS_ALL.toLocaleString()} a facet)</button>`
: null}`
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
