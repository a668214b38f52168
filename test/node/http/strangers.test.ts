/**
 * A public node's places and work are not for strangers to take: twenty client addresses
 * holding idle or half-sent connections (past every place there is) leave the operator and
 * other clients their answers, and a write without the token is refused from its headers, before
 * its body is read.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import { HTTP_CLIENT_CONNECTIONS, HTTP_MAX_CONNECTIONS } from '../../../node/constants.ts'
import { startTestNode, type TestNode } from '../../fixtures/node.ts'
import { hold } from '../../fixtures/raw-http.ts'
import { waitFor } from '../../fixtures/wait.ts'

const TOKEN = 'a-test-token'
const OPERATOR = '127.0.0.1'

/** GET /v1/status on a connection of its own from `localAddress`: whether it was answered 200 within 5 s. */
async function statusFrom (url: string, localAddress: string): Promise<boolean> {
  const { port } = new URL(url)
  return new Promise(resolve => {
    const request = http.get({ host: '127.0.0.1', port, path: '/v1/status', localAddress, agent: false, timeout: 5000 }, response => {
      response.resume()
      response.on('end', () => { resolve(response.statusCode === 200) })
      response.on('error', () => { resolve(false) })
    })
    request.on('timeout', () => { request.destroy() })
    request.on('error', () => { resolve(false) })
  })
}

/**
 * Clients that each hold `perAddress` connections from each of `addresses` and open a new one
 * whenever one is closed: with headers that never end (`slow`), or after one request answered,
 * kept alive and idle (`idle`).
 */
function holdConnections (url: string, addresses: string[], perAddress: number, kind: 'slow' | 'idle'): { held: () => number, stop: () => void } {
  const { port } = new URL(url)
  const sockets = new Set<net.Socket>()
  let stopped = false
  let open = 0
  const connect = (localAddress: string): void => {
    if (stopped) return
    const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress })
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('connect', () => {
      open++
      socket.write(kind === 'slow' ? `GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ` : `GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
    })
    socket.resume()
    socket.once('close', () => {
      if (socket.remoteAddress != null || open > 0) open--
      sockets.delete(socket)
      setTimeout(() => { connect(localAddress) }, 250).unref()
    })
  }
  for (const address of addresses) for (let i = 0; i < perAddress; i++) connect(address)
  return {
    held: () => [...sockets].filter(s => !s.destroyed && !s.connecting).length,
    stop: () => {
      stopped = true
      for (const socket of sockets) socket.destroy()
    }
  }
}

/** The soft limit on open files: the attack and the node share this process. */
function openFilesLimit (): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim())
  } catch {
    return 1024
  }
}

describe('strangers on a public node', function () {
  this.timeout(120_000)
  let t: TestNode | undefined

  afterEach(async () => {
    await t?.destroy()
    t = undefined
  })

  for (const kind of ['slow', 'idle'] as const) {
    it(`answers the operator and another client while 20 addresses hold ${kind === 'slow' ? 'half-sent' : 'idle kept-alive'} connections past every place`, async function () {
      // the node's own limits where this process may open them all (the attack's sockets and the node's), else a quarter of each
      const full = openFilesLimit() >= 4 * HTTP_MAX_CONNECTIONS
      const total = full ? HTTP_MAX_CONNECTIONS : HTTP_MAX_CONNECTIONS / 4
      const perClient = full ? HTTP_CLIENT_CONNECTIONS : HTTP_CLIENT_CONNECTIONS / 4
      t = await startTestNode({
        http: {
          requireToken: true,
          token: TOKEN,
          loopbackOnly: false,
          // the test's clients all come from 127/8: only 127.0.0.1 is the operator's
          connectionLimit: { total, perClient, operator: address => address === OPERATOR || address === `::ffff:${OPERATOR}` }
        }
      })
      // 20 clients, each its own /24, each holding as many connections as one client may: more than the places
      const addresses = Array.from({ length: 20 }, (_, i) => `127.${i + 1}.0.1`)
      const attack = holdConnections(t.url, addresses, perClient, kind)
      try {
        await waitFor(() => attack.held() >= total - 64 - perClient, 30_000, 'the attack to hold the places')
        let operator = 0
        let other = 0
        const tries = 100
        for (let i = 0; i < tries; i++) {
          if (await statusFrom(t.url, OPERATOR)) operator++
          if (await statusFrom(t.url, '127.100.0.1')) other++
        }
        assert.ok(operator >= 0.99 * tries, `the operator was answered ${operator} times of ${tries}`)
        assert.ok(other >= 0.9 * tries, `another client was answered ${other} times of ${tries}`)
      } finally {
        attack.stop()
      }
    })
  }

  it('refuses a write without the token from its headers alone, reading none of its 2.3 MB body', async () => {
    t = await startTestNode({ http: { requireToken: true, token: TOKEN, loopbackOnly: false } })
    const { port } = new URL(t.url)
    for (const path of ['/v1/self-descriptions', '/v1/validate', '/v1/revocations', '/v1/sync']) {
      // the headers only: the node must answer without waiting for a byte of the body
      const c = await hold(t.url, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/vc+jwt\r\nContent-Length: ${2_300_000}\r\n\r\n`)
      await waitFor(() => c.closed(), 5000, `the node to answer and close ${path}`)
      assert.match(c.answer(), /^HTTP\/1\.1 401 /, path)
      assert.match(c.answer(), /"name":"UnauthorizedError"/, path)
      c.socket.destroy()
    }
    // with the token, the same route reads the body
    const response = await fetch(`${t.url}/v1/validate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/vc+jwt' }, body: 'not a jws' })
    assert.equal(response.status, 400)
  })
})
