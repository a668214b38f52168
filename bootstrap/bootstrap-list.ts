/**
 * The bootstrap list: how a new node finds the network. A list names peers by multiaddr with
 * their peer id (`/ip4/203.0.113.7/tcp/4001/p2p/12D3KooW…`). On the command line each
 * `--bootstrap` is a multiaddr or a file; a file is text, one multiaddr a line, `#` starts a
 * comment (or JSON: `{"peers": ["/ip4/…/p2p/…"]}`).
 */
import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'

export class InvalidBootstrapListError extends Error {
  static name = 'InvalidBootstrapListError'
  name = 'InvalidBootstrapListError'
}

/** Checks one bootstrap multiaddr: it must parse and name its peer id. */
export function checkBootstrapAddr (addr: string, where = 'bootstrap address'): string {
  let parsed
  try {
    parsed = multiaddr(addr)
  } catch (err: any) {
    throw new InvalidBootstrapListError(`${where} "${addr}" is not a multiaddr: ${err.message}`)
  }
  if (parsed.getComponents().every(c => c.name !== 'p2p')) throw new InvalidBootstrapListError(`${where} "${addr}" names no peer id (/p2p/12D3KooW…)`)
  return parsed.toString()
}

export function parseBootstrapList (text: string, source: string): string[] {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    let value: any
    try {
      value = JSON.parse(trimmed)
    } catch (err: any) {
      throw new InvalidBootstrapListError(`${source} is not valid JSON: ${err.message}`)
    }
    if (!Array.isArray(value?.peers)) throw new InvalidBootstrapListError(`${source}: a JSON bootstrap list is {"peers": ["/ip4/…/p2p/…", …]}`)
    return value.peers.map((addr: unknown, i: number) => checkBootstrapAddr(String(addr), `${source} peers[${i}]`))
  }
  return trimmed.split('\n')
    .map((line, i) => ({ line: line.replace(/#.*/, '').trim(), i }))
    .filter(({ line }) => line !== '')
    .map(({ line, i }) => checkBootstrapAddr(line, `${source}:${i + 1}`))
}

const MULTIADDR_START = /^\/(ip4|ip6|dns|dns4|dns6|dnsaddr|memory|unix)\//

/** `--bootstrap` values (multiaddrs or files) → multiaddrs. */
export async function resolveBootstrapList (values: string[]): Promise<string[]> {
  const out: string[] = []
  for (const value of values) {
    if (MULTIADDR_START.test(value)) {
      out.push(checkBootstrapAddr(value))
      continue
    }
    let text: string
    try {
      text = await readFile(value, 'utf8')
    } catch (err: any) {
      throw new InvalidBootstrapListError(`bootstrap "${value}" is neither a multiaddr nor a readable file (${err.code ?? err.message})`)
    }
    out.push(...parseBootstrapList(text, value))
  }
  return [...new Set(out)]
}

export function formatBootstrapList (addrs: string[], comment?: string): string {
  return `${comment != null ? `# ${comment}\n` : ''}${addrs.join('\n')}\n`
}
