import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { generateJws } from '../../simulations/generator.ts'
import { GXCAT_BIN, gxcat } from '../fixtures/cli.ts'
import { get, startTestNode, tempDir } from '../fixtures/node.ts'
import { freePort, waitFor } from '../fixtures/wait.ts'

describe('crash safety', function () {
  this.timeout(120_000)

  it('kill -9 during a bulk import loses no acknowledged entry', async () => {
    const dir = join(await tempDir(), 'data')
    const init = await gxcat(['init', '--data', dir])
    assert.equal(init.code, 0, init.stderr)
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const child: ChildProcess = spawn(process.execPath, [GXCAT_BIN, 'start', '--data', dir, '--http', `127.0.0.1:${port}`], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } })
    const exited = new Promise(resolve => child.on('exit', resolve))
    try {
      await waitFor(async () => (await fetch(`${url}/v1/status`)).ok, 30_000, 'the node to start')
      const credentials = await generateJws(3000, { seed: 21 })
      const acknowledged: string[] = []
      let next = 0
      let killed = false
      const worker = async (): Promise<void> => {
        while (next < credentials.length && !killed) {
          const jws = credentials[next++]
          try {
            const response = await fetch(`${url}/v1/self-descriptions`, { method: 'POST', headers: { 'content-type': 'application/vc+jwt' }, body: jws })
            if (response.status === 201) acknowledged.push((await response.json()).cid)
          } catch {
            // the node died under this request: it was never acknowledged
          }
          if (acknowledged.length >= 500 && !killed) {
            killed = true
            child.kill('SIGKILL')
          }
        }
      }
      await Promise.all(Array.from({ length: 12 }, worker))
      await exited
      assert.ok(killed, 'the node was killed during the import')
      assert.ok(acknowledged.length >= 500)

      const restarted = await startTestNode({ dir })
      try {
        const missing: string[] = []
        for (const cid of acknowledged) {
          const r = await get(`${restarted.url}/v1/self-descriptions/${cid}`)
          if (r.status !== 200) missing.push(cid)
        }
        assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged entries lost`)
        const status = (await get(`${restarted.url}/v1/status`)).body
        assert.ok(status.entries >= acknowledged.length)
      } finally {
        await restarted.stop()
      }
    } finally {
      child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  })
})
