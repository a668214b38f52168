/**
 * A node's data directory: config.json (addresses, bootstrap list, trust policy, the write
 * token), node-key (the libp2p identity) and issuer-key.json (the participant's own signing
 * key), all created by `gxcat init`.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateIssuerKey, didOf } from '../protocols/self-description/index.ts'
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, SPARQL_TIMEOUT_MS, KEEP_VERSIONS, MAX_SPARQL_WORKERS, SPARQL_BUDGET } from './constants.ts'
import { ConfigError } from './errors.ts'
import type { PrivateKey } from '@libp2p/interface'

export type TrustPolicy = 'open' | 'anchors'

export interface NodeConfig {
  /** HTTP API address, HOST:PORT */
  http: string
  /** libp2p listen multiaddrs: TCP (/ip4/…/tcp/…) and WebSockets (/ip4/…/tcp/…/ws, e.g. behind a TLS reverse proxy on 443) */
  listen: string[]
  /** the addresses the node tells others instead of those it listens on (a proxy's public name: /dns4/HOST/tcp/443/wss) */
  announce?: string[]
  /**
   * whether others can dial this node: private runs the DHT as a client (it asks, never answers
   * or stores), reserves relay slots and announces only relayed addresses; public serves and
   * relays; auto (the default) lets AutoNAT decide (network/reachability.ts)
   */
  reachability?: 'public' | 'private' | 'auto'
  /** offer circuit relay v2 to unreachable peers when this node is reachable (default true) */
  relay?: boolean
  /** ask the local router (UPnP IGD) to forward the listening ports (default false) */
  upnp?: boolean
  /** PEM files of the certificate (with its chain) and key of /wss listeners */
  tlsCert?: string
  tlsKey?: string
  /** multiaddrs (with /p2p/ID) of bootstrap peers */
  bootstrap: string[]
  /** write token of the HTTP API (needed beyond loopback) */
  token: string
  trust: TrustPolicy
  trustAnchors: string[]
  trustedIssuers: string[]
  /** DIDs of the Gaia-X compliance issuers (clearing houses) whose label credentials count; those of imported lists are added */
  complianceIssuers: string[]
  /** did:web origin overrides, HOST=URL */
  didWebOrigins: string[]
  /** take part in gossip */
  gossip: boolean
  /** browser origins allowed to read the HTTP API, and to write with the token (CORS); none by default */
  cors: string[]
  /** Host names the HTTP API answers to besides its own address (a public DNS name); others get 403 */
  allowedHosts: string[]
  /** longest a SPARQL query may run, in milliseconds */
  queryTimeoutMs: number
  /** versions kept per entry, the current one included; older superseded versions are pruned */
  keepVersions: number
  /** log every HTTP request */
  accessLog: boolean
  /** worker threads that check signatures and run the official shapes (0: none); absent: one per core but one, up to 8 */
  workers?: number
  /** SPARQL engines, each a worker thread holding the whole index; absent: 1 on loopback, 2 beyond it (a public node keeps answering while one query is stopped) */
  sparqlWorkers?: number
  /** SPARQL query time each client (address, or the operator by token) may use per minute, in seconds */
  sparqlBudget: number
  /** an external SPARQL 1.1 store's endpoint, kept in step with the replica; it then answers SPARQL */
  sparqlStore?: string
  sparqlStoreUser?: string
  sparqlStorePassword?: string
  /** the store's Graph Store HTTP Protocol endpoint (absent: Virtuoso's beside its /sparql; none: SPARQL Update only) */
  sparqlStoreGraphs?: string
  /** keep the SPARQL index in memory; absent: on, or off where a store is given */
  sparqlIndex?: 'on' | 'off'
}

export const CONFIG_FILE = 'config.json'
export const NODE_KEY_FILE = 'node-key'
export const ISSUER_KEY_FILE = 'issuer-key.json'

export function defaultConfig (): NodeConfig {
  return {
    http: `${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT}`,
    listen: ['/ip4/0.0.0.0/tcp/0'],
    bootstrap: [],
    token: randomBytes(24).toString('base64url'),
    trust: 'open',
    trustAnchors: [],
    trustedIssuers: [],
    complianceIssuers: [],
    didWebOrigins: [],
    gossip: true,
    cors: [],
    allowedHosts: [],
    queryTimeoutMs: SPARQL_TIMEOUT_MS,
    sparqlBudget: SPARQL_BUDGET.ms / 1000,
    keepVersions: KEEP_VERSIONS,
    accessLog: false
  }
}

async function exists (path: string): Promise<boolean> {
  try {
    await readFile(path)
    return true
  } catch {
    return false
  }
}

/** Creates a data directory; refuses to overwrite one that has a config. Returns what it made. */
export async function initDataDir (dir: string): Promise<{ config: NodeConfig, peerId: string, issuer: string }> {
  if (await exists(join(dir, CONFIG_FILE))) throw new ConfigError(`${dir} is already initialised (${CONFIG_FILE} exists)`)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const config = defaultConfig()
  const nodeKey = await generateKeyPair('Ed25519')
  const issuerKey = generateIssuerKey('ed25519')
  await writeFile(join(dir, NODE_KEY_FILE), privateKeyToProtobuf(nodeKey), { mode: 0o600 })
  await writeFile(join(dir, ISSUER_KEY_FILE), JSON.stringify(issuerKey, null, 2) + '\n', { mode: 0o600 })
  await writeFile(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
  return { config, peerId: peerIdFromPrivateKey(nodeKey).toString(), issuer: didOf(issuerKey.kid) }
}

/** Reads the config of a data directory, filling in defaults for missing keys. */
export async function loadConfig (dir: string): Promise<NodeConfig> {
  let text: string
  try {
    text = await readFile(join(dir, CONFIG_FILE), 'utf8')
  } catch {
    throw new ConfigError(`${dir} has no ${CONFIG_FILE}; run gxcat init --data ${dir}`)
  }
  let parsed: Partial<NodeConfig>
  try {
    parsed = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError(`${join(dir, CONFIG_FILE)} is not JSON: ${err.message}`)
  }
  return checkConfig({ ...defaultConfig(), token: '', ...parsed })
}

/** Refuses a config (the file's, with command-line overrides) that a node cannot run with. */
export function checkConfig (config: NodeConfig): NodeConfig {
  for (const key of ['listen', 'bootstrap', 'trustAnchors', 'trustedIssuers', 'complianceIssuers', 'didWebOrigins', 'cors', 'allowedHosts'] as const) {
    if (!Array.isArray(config[key]) || !config[key].every(v => typeof v === 'string')) throw new ConfigError(`${CONFIG_FILE}: ${key} must be a list of strings`)
  }
  if (typeof config.http !== 'string' || !/^.+:\d+$/.test(config.http)) throw new ConfigError(`${CONFIG_FILE}: http must be HOST:PORT`)
  if (config.trust !== 'open' && config.trust !== 'anchors') throw new ConfigError(`${CONFIG_FILE}: trust must be open or anchors`)
  if (!Number.isFinite(config.queryTimeoutMs) || config.queryTimeoutMs <= 0) throw new ConfigError(`${CONFIG_FILE}: queryTimeoutMs must be a positive number of milliseconds`)
  if (config.workers != null && (!Number.isSafeInteger(config.workers) || config.workers < 0)) throw new ConfigError(`${CONFIG_FILE}: workers must be a whole number of at least 0`)
  if (config.sparqlWorkers != null && (!Number.isSafeInteger(config.sparqlWorkers) || config.sparqlWorkers < 1 || config.sparqlWorkers > MAX_SPARQL_WORKERS)) throw new ConfigError(`${CONFIG_FILE}: sparqlWorkers must be a whole number from 1 to ${MAX_SPARQL_WORKERS}`)
  if (!Number.isFinite(config.sparqlBudget) || config.sparqlBudget <= 0) throw new ConfigError(`${CONFIG_FILE}: sparqlBudget must be a positive number of seconds`)
  if (config.sparqlStore != null) {
    let url: URL | undefined
    try { url = new URL(config.sparqlStore) } catch {}
    if (url == null || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError(`${CONFIG_FILE}: sparqlStore must be the http(s) URL of a SPARQL endpoint`)
    if (config.sparqlIndex === 'on') throw new ConfigError(`${CONFIG_FILE}: a node with sparqlStore keeps no SPARQL index in memory (the store answers): leave sparqlIndex off`)
  }
  for (const key of ['sparqlStoreUser', 'sparqlStorePassword', 'sparqlStoreGraphs'] as const) {
    if (config[key] != null && typeof config[key] !== 'string') throw new ConfigError(`${CONFIG_FILE}: ${key} must be a string`)
  }
  if (config.sparqlIndex != null && config.sparqlIndex !== 'on' && config.sparqlIndex !== 'off') throw new ConfigError(`${CONFIG_FILE}: sparqlIndex must be on or off`)
  if (config.announce != null && (!Array.isArray(config.announce) || !config.announce.every(v => typeof v === 'string'))) throw new ConfigError(`${CONFIG_FILE}: announce must be a list of strings`)
  if (config.reachability != null && !['public', 'private', 'auto'].includes(config.reachability)) throw new ConfigError(`${CONFIG_FILE}: reachability must be public, private or auto`)
  for (const key of ['relay', 'upnp'] as const) {
    if (config[key] != null && typeof config[key] !== 'boolean') throw new ConfigError(`${CONFIG_FILE}: ${key} must be true or false`)
  }
  if ((config.tlsCert == null) !== (config.tlsKey == null)) throw new ConfigError(`${CONFIG_FILE}: tlsCert and tlsKey go together`)
  if (config.tlsCert == null && config.listen.some(a => a.includes('/wss') || a.includes('/tls/ws'))) throw new ConfigError(`${CONFIG_FILE}: a /wss listen address needs tlsCert and tlsKey (--tls-cert, --tls-key), or listen on /ws behind a TLS reverse proxy`)
  if (typeof config.accessLog !== 'boolean') throw new ConfigError(`${CONFIG_FILE}: accessLog must be true or false`)
  if (!Number.isSafeInteger(config.keepVersions) || config.keepVersions < 1) throw new ConfigError(`${CONFIG_FILE}: keepVersions must be a whole number of at least 1`)
  return config
}

export async function loadNodeKey (dir: string): Promise<PrivateKey> {
  try {
    return privateKeyFromProtobuf(await readFile(join(dir, NODE_KEY_FILE)))
  } catch (err: any) {
    throw new ConfigError(`cannot read the node key ${join(dir, NODE_KEY_FILE)}: ${err.code ?? err.message}`)
  }
}

/** HOST:PORT → [host, port] (IPv6 in brackets allowed). */
export function parseHostPort (value: string): { host: string, port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value)
  if (match == null) throw new ConfigError(`"${value}" is not HOST:PORT`)
  const port = Number(match[2])
  if (port > 65535) throw new ConfigError(`port ${port} is out of range`)
  return { host: match[1], port }
}
