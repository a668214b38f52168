/**
 * Clients that hold connections rather than use them: bodies trickled a byte at a time must
 * not take the places for costly work (a node on a public address was frozen for writes by 256
 * such uploads, for as long as they kept trickling), are cut off once the request timeout has
 * passed; one address cannot hold more than its share of connections, nor one connection
 * pile up answers it does not read (pipelined requests), nor a client keep a large answer it
 * reads nothing of.
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import { generateJws } from '../../../simulations/generator.ts'
import { post, startTestNode } from '../../fixtures/node.ts'
import { hold, type HeldConnection } from '../../fixtures/raw-http.ts'
import { waitFor } from '../../fixtures/wait.ts'

describe('slow and greedy HTTP clients', function () {
  this.timeout(60_000)

  it('holds no place for costly work while a body trickles in, and cuts the upload off at the request timeout with 408', async () => {
    const t = await startTestNode({ http: { maxInFlight: 4, requestTimeoutMs: 1000 } })
    const slow: HeldConnection[] = []
    const trickle = setInterval(() => { for (const c of slow) if (!c.closed()) c.socket.write('x') }, 100)
    try {
      const { port } = new URL(t.url)
      for (let i = 0; i < 8; i++) {
        slow.push(await hold(t.url, `POST /v1/self-descriptions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/vc+jwt\r\nContent-Length: 100000\r\n\r\nx`))
      }
      // twice as many uploads under way as there are places: an honest publish still gets one
      const [jws] = await generateJws(1, { seed: 61 })
      const honest = await post(`${t.url}/v1/self-descriptions`, jws)
      assert.equal(honest.status, 201, JSON.stringify(honest.body))
      await waitFor(() => slow.every(c => c.closed()), 10_000, 'the server to close every trickling upload')
      for (const c of slow) assert.match(c.answer(), /^HTTP\/1\.1 408 /)
    } finally {
      clearInterval(trickle)
      for (const c of slow) c.socket.destroy()
      await t.destroy()
    }
  })

  it('closes the connections one client address opens past its share, before reading them', async () => {
    const t = await startTestNode({ http: { connectionLimit: { total: 100, perClient: 3, operator: () => false } } })
    const held: HeldConnection[] = []
    try {
      for (let i = 0; i < 5; i++) held.push(await hold(t.url, ''))
      await waitFor(() => held.filter(c => c.closed()).length === 2, 5000, 'two connections past the share to be closed')
      assert.deepEqual(held.map(c => c.closed()), [false, false, false, true, true])
      // the three within the share are served
      const { port } = new URL(t.url)
      for (const c of held.slice(0, 3)) c.socket.write(`GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
      await waitFor(() => held.slice(0, 3).every(c => c.answer().startsWith('HTTP/1.1 200 ')), 5000, 'the connections within the share to be answered')
      // once they go, the address has its places back
      for (const c of held) c.socket.destroy()
      await waitFor(async () => (await fetch(`${t.url}/v1/status`)).ok, 5000, 'a new connection to be served')
    } finally {
      for (const c of held) c.socket.destroy()
      await t.destroy()
    }
  })

  it('closes the connection of a client that reads nothing of a large SPARQL answer', async () => {
    const t = await startTestNode({ http: { answerStallMs: 500 } })
    const accepted: net.Socket[] = []
    t.app.server.on('connection', (socket: net.Socket) => { accepted.push(socket) })
    let client: net.Socket | undefined
    try {
      for (const jws of await generateJws(100, { seed: 63 })) await t.node.publish(jws)
      // about 1,400 quads, each 40 times: megabytes more than the loopback socket buffers hold
      const values = Array.from({ length: 40 }, (_, i) => i + 1).join(' ')
      const query = encodeURIComponent(`SELECT ?s ?p ?o ?k WHERE { ?s ?p ?o VALUES ?k { ${values} } }`)
      const { port } = new URL(t.url)
      client = net.connect(Number(port), '127.0.0.1')
      client.on('error', () => {})
      client.pause()
      client.write(`GET /v1/sparql?query=${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
      await waitFor(() => accepted.length === 1, 5000, 'the connection to be accepted')
      await waitFor(() => accepted[0].destroyed, 15_000, 'the connection holding the unread answer to be closed')
      // the API goes on answering others
      assert.equal((await fetch(`${t.url}/v1/status`)).status, 200)
    } finally {
      client?.destroy()
      await t.destroy()
    }
  })

  it('answers two pipelined requests, and closes a connection that pipelines more without running them', async () => {
    const t = await startTestNode()
    const { port } = new URL(t.url)
    const request = (jws: string): string => `POST /v1/self-descriptions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/vc+jwt\r\nContent-Length: ${Buffer.byteLength(jws)}\r\n\r\n${jws}`
    const credentials = await generateJws(8, { seed: 62 })
    let two: HeldConnection | undefined
    let six: HeldConnection | undefined
    try {
      two = await hold(t.url, credentials.slice(0, 2).map(request).join(''))
      await waitFor(() => (two?.answer().match(/HTTP\/1\.1 201 /g) ?? []).length === 2, 10_000, 'both pipelined publishes to be answered')
      assert.equal(two.closed(), false)
      // six in one go, none of the answers read yet: the connection is closed at the third
      six = await hold(t.url, credentials.slice(2).map(request).join(''))
      await waitFor(() => six?.closed() === true, 10_000, 'the connection to be closed')
      // the first two of the six may have run; the four past the limit never get an answer
      assert.equal((six.answer().match(/HTTP\/1\.1 /g) ?? []).length <= 2, true, six.answer())
      assert.ok(t.node.counts().entries <= 4, `${t.node.counts().entries} entries stored: the requests past the limit ran`)
    } finally {
      two?.socket.destroy()
      six?.socket.destroy()
      await t.destroy()
    }
  })
})
