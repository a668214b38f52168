/**
 * The server under the API holds answers its clients do not read within bounds: a connection
 * whose answer has not moved for the stall timeout is closed (what it held is freed), one whose
 * client reads after a shorter pause gets its whole answer, and while the unread answers of all
 * connections come to more than the budget, the connections stalled longest are closed.
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import type { RequestListener, Server } from 'node:http'
import { createLimitedServer, type ServerLimits } from '../../../node/http/connection-limit.ts'
import { waitFor } from '../../fixtures/wait.ts'

/** far more than the loopback socket buffers on both sides hold */
const ANSWER_BYTES = 64 * 1024 * 1024

const LIMITS: ServerLimits = {
  total: 10, requestTimeoutMs: 5000, headersTimeoutMs: 5000, unanswered: 2, keepAliveTimeoutMs: 5000, answerStallMs: 60_000, maxUnsentBytes: 1024 * 1024 * 1024
}

describe('HTTP server limits', function () {
  this.timeout(30_000)
  let server: Server | undefined
  /** the server's side of each connection: a paused client does not see its socket closed */
  let accepted: net.Socket[] = []
  let clients: net.Socket[] = []

  async function serve (handler: RequestListener, limits: Partial<ServerLimits>): Promise<number> {
    server = createLimitedServer(handler, { ...LIMITS, ...limits })
    accepted = []
    server.on('connection', (socket: net.Socket) => { accepted.push(socket) })
    await new Promise<void>(resolve => server?.listen(0, '127.0.0.1', resolve))
    return (server.address() as { port: number }).port
  }

  /** a client that asks for `path` and reads nothing until told */
  async function ask (port: number, path = '/'): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1')
    clients.push(socket)
    socket.on('error', () => {})
    socket.pause()
    const before = accepted.length
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    await waitFor(() => accepted.length > before, 5000, 'the connection to be accepted')
    return socket
  }

  const nextSweep = async (): Promise<void> => new Promise(resolve => server?.once('sweep', resolve))

  afterEach(async () => {
    for (const socket of clients) socket.destroy()
    clients = []
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
  })

  it('closes a connection whose client reads nothing of its answer, and serves one that reads after a shorter pause', async () => {
    const answer = Buffer.alloc(ANSWER_BYTES, 'a')
    const port = await serve((_request, response) => { response.end(answer) }, { answerStallMs: 600 })
    await ask(port) // reads nothing
    const patient = await ask(port)
    let received = 0
    patient.on('data', (chunk: Buffer) => { received += chunk.length })
    setTimeout(() => patient.resume(), 200) // a pause well within the stall timeout

    await waitFor(() => accepted[0].destroyed, 10_000, 'the connection of the client that reads nothing to be closed')
    await waitFor(() => received > ANSWER_BYTES, 10_000, 'the reading client to get its whole answer')
    assert.equal(accepted[1].destroyed, false)
  })

  it('closes the connections stalled longest while the unread answers come to more than the budget', async () => {
    const answer = Buffer.alloc(16 * 1024 * 1024, 'a')
    const port = await serve((_request, response) => { response.end(answer) }, { answerStallMs: 60_000, maxUnsentBytes: 40 * 1024 * 1024 })
    for (let i = 0; i < 2; i++) {
      await ask(port)
      await nextSweep() // seen stalled by a sweep before the next one asks
    }
    assert.deepEqual(accepted.map(s => s.destroyed), [false, false], 'within the budget, stalled answers are kept until the stall timeout')
    // a third answer takes the unread bytes past the budget: the one stalled longest goes
    await ask(port)
    await waitFor(() => accepted[0].destroyed, 5000, 'the connection stalled longest to be closed')
    // a whole sweep later, the other two are still served
    await nextSweep()
    await nextSweep()
    assert.deepEqual(accepted.map(s => s.destroyed), [true, false, false])
  })

  it('counts no bytes for a request still being worked on, however long it takes', async () => {
    const port = await serve((_request, response) => { setTimeout(() => response.end('done'), 1500) }, { answerStallMs: 400, maxUnsentBytes: 1 })
    const slow = await ask(port)
    let answer = ''
    slow.setEncoding('utf8')
    slow.on('data', (text: string) => { answer += text })
    slow.resume()
    await waitFor(() => answer.endsWith('done'), 5000, 'the answer worked out slowly to arrive')
    assert.equal(accepted[0].destroyed, false)
  })
})
