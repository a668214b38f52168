/**
 * Outbound fetches on a stranger's behalf (DID documents, chains, status lists) cannot be
 * turned against the operator: no internal addresses, bodies capped as they stream, one
 * deadline, bounded concurrency, failures remembered briefly, every failure a DidResolutionError.
 */
import assert from 'node:assert/strict'
import { createServer, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net'
import { createDidResolver, isInternalAddress } from '../../../protocols/self-description/index.ts'

async function listen (server: Server | TcpServer): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

async function close (server: Server | TcpServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
}

const didDocument = (did: string): string => JSON.stringify({ id: did, verificationMethod: [{ id: `${did}#k`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } }] })

describe('outbound fetches', function () {
  this.timeout(30_000)

  it('knows internal addresses', () => {
    for (const internal of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '0.0.0.0', '224.0.0.251', '::1', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      assert.equal(isInternalAddress(internal), true, internal)
    }
    // IPv4 behind IPv6, as a resolver writes it: mapped, compatible, NAT64 (10.0.0.1, the metadata address, loopback); local-use NAT64; site-local
    for (const internal of ['::ffff:7f00:1', '::7f00:1', '64:ff9b::a00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::7f00:1', '64:ff9b:1::1', 'fec0::1']) {
      assert.equal(isInternalAddress(internal), true, internal)
    }
    for (const external of ['8.8.8.8', '93.184.216.34', '2606:4700::1111', '64:ff9b::808:808', '::ffff:808:808']) assert.equal(isInternalAddress(external), false, external)
  })

  it('refuses did:web on loopback, by address or by a name that resolves there, without connecting', async () => {
    let connections = 0
    const tcp = createTcpServer(socket => { connections++; socket.destroy() })
    const port = await listen(tcp)
    try {
      const resolver = createDidResolver()
      for (const did of [`did:web:127.0.0.1%3A${port}`, `did:web:localhost%3A${port}`, 'did:web:127.0.0.1%3A1', `did:web:%5B%3A%3A1%5D%3A${port}`]) {
        await assert.rejects(resolver.resolveKey(`${did}#k`), (err: any) => {
          assert.equal(err.name, 'DidResolutionError', did)
          assert.match(err.message, /internal address|not HTTPS/, did)
          return true
        })
      }
      assert.equal(connections, 0)
    } finally {
      await close(tcp)
    }
  })

  describe('through an origin override (a host the operator allows)', () => {
    let server: Server
    let url: string
    const hits = new Map<string, number>()
    let inFlight = 0
    let maxInFlight = 0
    let bytesSent = 0
    const routes = new Map<string, (response: ServerResponse) => void>()

    before(async () => {
      server = createServer((request, response) => {
        const path = new URL(request.url ?? '/', 'http://x').pathname
        hits.set(path, (hits.get(path) ?? 0) + 1)
        const route = [...routes].find(([prefix]) => path.startsWith(prefix))?.[1]
        if (route == null) { response.writeHead(404).end(); return }
        route(response)
      })
      url = `http://127.0.0.1:${await listen(server)}`
    })
    after(async () => { await close(server) })

    it('aborts a chunked body at the cap, whatever it would have sent', async () => {
      routes.set('/huge/', response => {
        response.writeHead(200, { 'content-type': 'application/json' }) // chunked: no Content-Length
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const pump = (): void => {
          while (bytesSent < 50 * 1024 * 1024) {
            bytesSent += chunk.length
            if (!response.write(chunk)) { response.once('drain', pump); return }
          }
          response.end()
        }
        response.on('close', () => { response.removeAllListeners('drain') })
        pump()
      })
      const resolver = createDidResolver({ originOverrides: [`huge.example=${url}`] })
      await assert.rejects(resolver.resolveKey('did:web:huge.example:huge:a#k'), { name: 'DidResolutionError', message: /more than 262144 bytes/ })
      await new Promise(resolve => setTimeout(resolve, 100))
      assert.ok(bytesSent < 10 * 1024 * 1024, `sent ${bytesSent} bytes`)
    })

    it('ends a trickling host at one deadline, as a DidResolutionError', async () => {
      routes.set('/trickle/', response => {
        response.writeHead(200, { 'content-type': 'application/json' })
        const timer = setInterval(() => response.write(' '), 100)
        response.on('close', () => { clearInterval(timer) })
      })
      const resolver = createDidResolver({ originOverrides: [`trickle.example=${url}`], timeoutMs: 800 })
      const started = Date.now()
      await assert.rejects(resolver.resolveKey('did:web:trickle.example:trickle:a#k'), { name: 'DidResolutionError', message: /no complete answer|800 ms/ })
      assert.ok(Date.now() - started < 3000)
    })

    it('remembers a failure briefly: ten credentials of a dead host cost one fetch', async () => {
      routes.set('/dead/', response => { response.writeHead(500).end() })
      const resolver = createDidResolver({ originOverrides: [`dead.example=${url}`] })
      for (let i = 0; i < 10; i++) await assert.rejects(resolver.resolveKey('did:web:dead.example:dead:a#k'), { name: 'DidResolutionError', message: /HTTP 500/ })
      assert.equal(hits.get('/dead/a/did.json'), 1)
    })

    it('bounds fetches to one host', async () => {
      routes.set('/slow/', response => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        setTimeout(() => {
          inFlight--
          response.writeHead(200, { 'content-type': 'application/json' }).end(didDocument('x'))
        }, 100)
      })
      const resolver = createDidResolver({ originOverrides: [`slow.example=${url}`], maxFetchesPerHost: 3 })
      const results = await Promise.allSettled(Array.from({ length: 12 }, async (_, i) => resolver.resolveKey(`did:web:slow.example:slow:${i}#k`)))
      assert.equal(results.length, 12)
      assert.ok(maxInFlight <= 3 && maxInFlight > 0, `at most 3 at once, saw ${maxInFlight}`)
    })
  })
})
