/**
 * The server under the API: a client that stops reading its answers has its connection closed
 * once nothing has been sent for the stall timeout (what it held is freed), and one that reads,
 * even after a pause shorter than that, gets its whole answer.
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import type { Server } from 'node:http'
import { createLimitedServer } from '../../../node/http/connection-limit.ts'
import { waitFor } from '../../fixtures/wait.ts'

/** far more than the loopback socket buffers on both sides hold */
const ANSWER_BYTES = 64 * 1024 * 1024

async function listen (server: Server): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

describe('HTTP server limits', function () {
  this.timeout(30_000)
  let server: Server | undefined

  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
  })

  it('closes a connection whose client stops reading, and serves one that reads after a shorter pause', async () => {
    const answer = Buffer.alloc(ANSWER_BYTES, 'a')
    server = createLimitedServer((_request, response) => { response.end(answer) }, {
      total: 10, requestTimeoutMs: 5000, headersTimeoutMs: 5000, unanswered: 2, keepAliveTimeoutMs: 5000, stallTimeoutMs: 600
    })
    const port = await listen(server)
    // the server's side of each connection: a paused client does not see its socket closed
    const accepted: net.Socket[] = []
    server.on('connection', (socket: net.Socket) => { accepted.push(socket) })
    const ask = (): net.Socket => {
      const socket = net.connect(port, '127.0.0.1')
      socket.on('error', () => {})
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      return socket
    }

    const stalled = ask()
    stalled.pause() // reads nothing
    await waitFor(() => accepted.length === 1, 5000, 'the first connection')

    const patient = ask()
    patient.pause()
    let received = 0
    patient.on('data', (chunk: Buffer) => { received += chunk.length })
    setTimeout(() => patient.resume(), 200) // a pause well within the stall timeout

    await waitFor(() => accepted[0].destroyed, 10_000, 'the connection of the client that reads nothing to be closed')
    await waitFor(() => received > ANSWER_BYTES, 10_000, 'the reading client to get its whole answer')
    assert.equal(accepted[1].destroyed, false)
    stalled.destroy()
    patient.destroy()
  })
})
