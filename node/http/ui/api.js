// The node's own HTTP API, as the pages use it: JSON in and out, errors as Error with the
// node's name for them. The operator's token (writes) is kept for the browser tab only.

const TOKEN_KEY = 'gxcat-token'

export function token () {
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function setToken (value) {
  if (value === '') sessionStorage.removeItem(TOKEN_KEY)
  else sessionStorage.setItem(TOKEN_KEY, value)
}

export async function call (path, { method = 'GET', body, type, accept = 'application/json', signal } = {}) {
  const headers = { accept }
  if (body != null) headers['content-type'] = type ?? 'text/plain'
  if (method !== 'GET' && token() !== '') headers.authorization = `Bearer ${token()}`
  const response = await fetch(path, { method, headers, body, signal })
  const text = await response.text()
  if (!response.ok) {
    let error
    try { error = JSON.parse(text).error } catch {}
    const err = new Error(error?.message ?? `HTTP ${response.status}`)
    err.name = error?.name ?? `HTTP${response.status}`
    err.violations = error?.violations
    throw err
  }
  return accept === 'application/json' || accept.includes('json') ? JSON.parse(text) : text
}

export const entryHref = (issuer, subject) => `#/entry/${encodeURIComponent(issuer)}/${encodeURIComponent(subject)}`
export const versionHref = cid => `#/version/${encodeURIComponent(cid)}`

/** A readable name for an item: its schema:name or gx:name, else its subject id. */
export function titleOf (item) {
  const subject = item.credential?.credentialSubject ?? {}
  const name = subject['schema:name'] ?? subject['gx:name'] ?? subject.name
  const text = typeof name === 'object' && name != null ? name['@value'] : name
  return typeof text === 'string' && text !== '' ? text : item.subject
}
