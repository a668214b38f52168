// An entry: its claims, issuer, certificate chain, the node's trust verdict, its versions, its
// revocation or status, and the raw JWS on demand. A version by CID shows the same but versions.
import { useEffect, useState } from 'preact/hooks'
import { call, titleOf, versionHref } from './api.js'
import { html } from './html.js'
import { ComplianceBadge, IssuerName, lastSearchHref, Status } from './search.js'

/** A JSON-LD value, readable: literals as text, IRIs as links, nodes as nested lists. */
function Value ({ value }) {
  if (Array.isArray(value)) return value.length === 1 ? html`<${Value} value=${value[0]} />` : html`<ul>${value.map(v => html`<li><${Value} value=${v} /></li>`)}</ul>`
  if (value != null && typeof value === 'object') {
    if ('@value' in value) return html`<span>${String(value['@value'])}</span>`
    const entries = Object.entries(value)
    if (entries.length === 1 && (entries[0][0] === 'id' || entries[0][0] === '@id')) return html`<${Value} value=${entries[0][1]} />`
    return html`<${Claims} claims=${value} />`
  }
  if (typeof value === 'string' && /^https?:\/\//.test(value)) return html`<a href=${value} rel="noreferrer noopener">${value}</a>`
  return html`<span>${String(value)}</span>`
}

function Claims ({ claims }) {
  return html`<dl class="claims">${Object.entries(claims).map(([key, value]) => html`<dt>${key}</dt><dd><${Value} value=${value} /></dd>`)}</dl>`
}

function Chain ({ chain }) {
  if (chain == null) return html`<p>The issuer's key has no certificate chain (no <code>x5u</code>).</p>`
  return html`
    <p>Fetched from <code>${chain.url}</code>, leaf first:</p>
    <table class="chain">
      <caption class="visually-hidden">Certificate chain</caption>
      <thead><tr><th scope="col">Subject</th><th scope="col">Issuer</th><th scope="col">Valid</th><th scope="col">CA</th></tr></thead>
      <tbody>${chain.certificates.map(c => html`<tr>
        <td>${c.subject}</td><td>${c.issuer}</td><td>${c.validFrom.slice(0, 10)} – ${c.validTo.slice(0, 10)}</td><td>${c.ca ? 'yes' : 'no'}</td>
      </tr>`)}</tbody>
    </table>`
}

function Trust ({ trust }) {
  if (trust == null) return null
  const why = trust.anchor != null
    ? html`its certificate chain ends at the trust anchor <strong>${trust.anchor}</strong>`
    : trust.trustedIssuer
      ? html`its issuer is one this node trusts by name`
      : trust.mode === 'open'
        ? html`this node takes any issuer whose signature verifies (trust policy <code>open</code>)`
        : html`it was admitted under this node's trust policy`
  return html`<p class="verdict">Signature, dates and shapes verified; held because ${why}.</p>`
}

function Revocation ({ item }) {
  if (item.status === 'revoked') {
    const r = item.revocation
    return html`<div class="revoked" role="note">
      <strong>Revoked</strong>${r != null ? html` on ${r.revokedAt.slice(0, 10)} by <code>${r.signer}</code>${r.reason != null ? html`: ${r.reason}` : null}` : html` (by its status list)`}
    </div>`
  }
  if (item.status !== 'active') return html`<div class="inactive" role="note"><strong>${item.status[0].toUpperCase() + item.status.slice(1)}</strong></div>`
  return null
}

function Details ({ item }) {
  const subject = item.credential?.credentialSubject ?? {}
  const { id: _id, '@id': _atId, ...claims } = subject
  return html`
    <p class="back"><a href=${lastSearchHref()}>← Back to results</a></p>
    <h1 tabindex="-1">${titleOf(item)} <${Status} status=${item.status} /> <${ComplianceBadge} compliance=${item.compliance} /></h1>
    <${Revocation} item=${item} />
    <dl class="summary">
      <dt>Subject</dt><dd><code>${item.subject}</code></dd>
      <dt>Types</dt><dd>${item.types.join(', ')}</dd>
      <dt>Issuer</dt><dd><${IssuerName} issuer=${item.issuer} name=${item.issuerName} /></dd>
      <dt>Valid</dt><dd>from ${item.validFrom}${item.validUntil != null ? ` until ${item.validUntil}` : ''}</dd>
      <dt>Version</dt><dd><code>${item.cid}</code></dd>
      <dt>Gaia-X compliance</dt><dd>${item.compliance != null
        ? html`label <strong>${item.compliance.label}</strong> by <code class="issuer">${item.compliance.issuer}</code>${item.compliance.rulesVersion != null ? ` (rules ${item.compliance.rulesVersion})` : ''}${item.compliance.validUntil != null ? `, valid until ${item.compliance.validUntil}` : ''}: <a href=${versionHref(item.compliance.labelCredential)}>the label credential</a>`
        : 'no label of a trusted compliance issuer covers this version'}</dd>
    </dl>
    <section aria-labelledby="claims-heading"><h2 id="claims-heading">Claims</h2><${Claims} claims=${claims} /></section>
    <section aria-labelledby="trust-heading"><h2 id="trust-heading">Issuer and trust</h2><${Trust} trust=${item.trust} /><${Chain} chain=${item.chain} /></section>
    ${item.versions != null
? html`<section aria-labelledby="versions-heading"><h2 id="versions-heading">Versions</h2>
      <ol class="versions">${item.versions.map(v => html`<li><a href=${versionHref(v.cid)}>${v.validFrom}</a> <${Status} status=${v.status} /> <code>${v.cid}</code></li>`)}</ol></section>`
: null}
    <details class="raw"><summary>Raw JWS</summary><pre>${item.jws}</pre></details>`
}

function useLoad (path) {
  const [state, setState] = useState({ loading: true })
  useEffect(() => {
    const controller = new AbortController()
    setState({ loading: true })
    call(path, { signal: controller.signal }).then(item => setState({ item }), err => { if (err.name !== 'AbortError') setState({ error: `${err.name}: ${err.message}` }) })
    return () => controller.abort()
  }, [path])
  return state
}

function Loaded ({ state }) {
  if (state.error != null) return html`<h1 tabindex="-1">Not available</h1><p role="alert" class="error">${state.error}</p><p><a href=${lastSearchHref()}>Back to results</a></p>`
  if (state.loading) return html`<p role="status">Loading…</p>`
  return html`<${Details} item=${state.item} />`
}

export function EntryPage ({ issuer, subject }) {
  return html`<${Loaded} state=${useLoad(`/v1/entries/${encodeURIComponent(issuer)}/${encodeURIComponent(subject)}`)} />`
}

export function VersionPage ({ cid }) {
  return html`<${Loaded} state=${useLoad(`/v1/self-descriptions/${encodeURIComponent(cid)}`)} />`
}
