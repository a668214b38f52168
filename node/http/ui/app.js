// The catalogue in a browser: search with facets, entries, SPARQL, the network. Hash routes,
// so that every view has a URL and the back button works: #/ (#/?q=…&type=…, a search) · #/entry/ISSUER/SUBJECT ·
// #/version/CID · #/sparql · #/network.
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { setToken, token } from './api.js'
import { html } from './html.js'
import { SearchPage } from './search.js'
import { EntryPage, VersionPage } from './entry.js'
import { SparqlPage } from './sparql.js'
import { NetworkPage } from './network.js'

function route () {
  // a search keeps its filters after a `?` (#/?q=storage): the route is what comes before
  const parts = location.hash.replace(/^#\/?/, '').replace(/\?.*$/, '').split('/').map(decodeURIComponent)
  return parts[0] === '' ? ['search'] : parts
}

function TokenForm ({ onChange }) {
  const [value, setValue] = useState(token())
  const submit = event => {
    event.preventDefault()
    setToken(value.trim())
    onChange(value.trim())
  }
  return html`<form class="token" onSubmit=${submit}>
    <label for="token">Operator token</label>
    <input id="token" type="password" autocomplete="off" value=${value} onInput=${e => setValue(e.currentTarget.value)} placeholder="read-only without it" />
    <button type="submit">${token() === '' ? 'Use' : 'Change'}</button>
  </form>`
}

function App () {
  const [path, setPath] = useState(route())
  const [writer, setWriter] = useState(token() !== '')
  const main = useRef(null)
  useEffect(() => {
    const onHash = () => {
      setPath(route())
      // a new view: move focus to its heading, as a page load would
      requestAnimationFrame(() => main.current?.querySelector('h1')?.focus())
    }
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  const [page, ...args] = path
  const current = page === 'entry' ? 'search' : page === 'version' ? 'search' : page
  const nav = [['search', '#/', 'Search'], ['sparql', '#/sparql', 'SPARQL'], ['network', '#/network', 'Network']]
  return html`
    <a class="skip" href="#main" onClick=${e => { e.preventDefault(); main.current?.querySelector('h1')?.focus() }}>Skip to content</a>
    <header>
      <span class="brand">gxcat</span>
      <nav aria-label="Pages">
        ${nav.map(([name, href, label]) => html`<a href=${href} aria-current=${current === name ? 'page' : undefined}>${label}</a>`)}
      </nav>
      <${TokenForm} onChange=${value => setWriter(value !== '')} />
    </header>
    <main id="main" ref=${main}>
      ${page === 'search'
? html`<${SearchPage} writer=${writer} />`
        : page === 'entry'
? html`<${EntryPage} issuer=${args[0]} subject=${args.slice(1).join('/')} />`
          : page === 'version'
? html`<${VersionPage} cid=${args[0]} />`
            : page === 'sparql'
? html`<${SparqlPage} />`
              : page === 'network'
? html`<${NetworkPage} />`
                : html`<h1 tabindex="-1">Not found</h1><p>No page ${location.hash}. <a href="#/">Search the catalogue</a>.</p>`}
    </main>`
}

render(html`<${App} />`, document.getElementById('app'))
