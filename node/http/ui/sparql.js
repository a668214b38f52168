// A SPARQL console: example queries, results as a table.
import { useState } from 'preact/hooks'
import { call } from './api.js'
import { html } from './html.js'

// gx: is the 2511 release and gxdev: the development vocabulary (both predefined by the node,
// with schema:, rdf:, xsd: and the rest): the examples name both, as a catalogue holds both
const EXAMPLES = {
  'Entries by type': `SELECT ?type (COUNT(?s) AS ?entries) WHERE {
  ?s a ?type .
  FILTER(STRSTARTS(STR(?type), "https://w3id.org/gaia-x/"))
} GROUP BY ?type ORDER BY DESC(?entries)`,
  'Service offerings and their providers': `SELECT ?service ?name ?provider WHERE {
  VALUES ?class { gx:ServiceOffering gxdev:ServiceOffering }
  ?service a ?class .
  OPTIONAL { ?service gx:providedBy|gxdev:providedBy ?provider }
  OPTIONAL { ?service schema:name ?name }
} LIMIT 50`,
  'Legal persons': `SELECT ?participant ?name WHERE {
  VALUES ?class { gx:LegalPerson gxdev:LegalPerson }
  ?participant a ?class .
  OPTIONAL { ?participant schema:name ?name }
} LIMIT 50`,
  Keywords: `SELECT ?keyword (COUNT(?s) AS ?n) WHERE {
  ?s gx:keyword|gxdev:keyword ?keyword
} GROUP BY ?keyword ORDER BY DESC(?n) LIMIT 20`
}

function cell (term) {
  if (term == null) return ''
  return term.type === 'uri' ? html`<code>${term.value}</code>` : term.value
}

export function SparqlPage () {
  const [query, setQuery] = useState(EXAMPLES['Entries by type'])
  const [result, setResult] = useState(undefined)
  const [running, setRunning] = useState(false)
  const run = async event => {
    event.preventDefault()
    setRunning(true)
    const started = performance.now()
    try {
      const answer = await call('/v1/sparql', { method: 'POST', body: query, type: 'application/sparql-query', accept: 'application/sparql-results+json' })
      setResult({ answer, ms: performance.now() - started })
    } catch (err) {
      setResult({ error: `${err.name}: ${err.message}` })
    }
    setRunning(false)
  }
  const vars = result?.answer?.head?.vars ?? []
  const rows = result?.answer?.results?.bindings ?? []
  return html`
    <h1 tabindex="-1">SPARQL</h1>
    <form class="sparql" onSubmit=${run}>
      <label for="example">Example</label>
      <select id="example" onChange=${e => { if (EXAMPLES[e.currentTarget.value] != null) setQuery(EXAMPLES[e.currentTarget.value]) }}>
        ${Object.keys(EXAMPLES).map(name => html`<option value=${name}>${name}</option>`)}
      </select>
      <label for="query">Query (read-only, over the union of every credential's graph; gx:, gxdev:, schema:, rdf:, rdfs:, xsd: and more are predefined)</label>
      <textarea id="query" rows="10" spellcheck="false" value=${query} onInput=${e => setQuery(e.currentTarget.value)}></textarea>
      <button type="submit" disabled=${running}>${running ? 'Running…' : 'Run query'}</button>
    </form>
    ${result?.error != null ? html`<p role="alert" class="error">${result.error}</p>` : null}
    ${result?.answer != null
? html`<section aria-labelledby="answer-heading">
      <h2 id="answer-heading">Results</h2>
      <p role="status">${'boolean' in result.answer ? `Answer: ${result.answer.boolean}` : `${rows.length} rows`} in ${Math.round(result.ms)} ms</p>
      ${vars.length > 0
? html`<div class="table-wrap"><table class="sparql-results">
        <thead><tr>${vars.map(v => html`<th scope="col">${v}</th>`)}</tr></thead>
        <tbody>${rows.map(row => html`<tr>${vars.map(v => html`<td>${cell(row[v])}</td>`)}</tr>`)}</tbody>
      </table></div>`
: null}
    </section>`
: null}`
}
