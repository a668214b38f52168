/**
 * `gxcat start` processes for the benchmarks that measure a node as participants run it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const GXCAT_BIN = fileURLToPath(new URL('../node/cli/bin.js', import.meta.url))

export interface GxcatProcess {
  child: ChildProcess
  url: string
  /** its libp2p address on 127.0.0.1, with its peer id */
  addr: string
  stop (): Promise<void>
}

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
    server.on('error', reject)
  })
}

/** CPU seconds a process has used, all its threads (user and system); with `mainThread`, its main thread's alone. */
export function cpuSeconds (pid: number, mainThread = false): number {
  const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ 100)
}

/**
 * CPU seconds of each of a process's threads by kind, from /proc: `main`, each worker thread
 * (`worker 1`, `worker 2`… in the order they started), `V8` (its garbage collector and compiler
 * helpers) and `libuv` (its pool: file system, async crypto, the store's native calls).
 */
export function cpuByThread (pid: number): Map<string, number> {
  const kinds = new Map<string, number>()
  let workers = 0
  const tids = readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b)
  for (const tid of tids) {
    let comm: string, stat: string
    try {
      comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    } catch {
      continue // a thread that ended meanwhile
    }
    const fields = stat.split(') ')[1].split(' ')
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100
    const kind = tid === pid ? 'main' : comm === 'WorkerThread' ? `worker ${++workers}` : comm === 'V8Worker' ? 'V8' : comm.startsWith('libuv') ? 'libuv' : 'other'
    kinds.set(kind, (kinds.get(kind) ?? 0) + seconds)
  }
  return kinds
}

/** What each kind of thread spent between two `cpuByThread` readings, in ms per entry, as one line. */
export function threadShares (before: Map<string, number>, after: Map<string, number>, entries: number): string {
  return [...after].map(([kind, seconds]) => `${kind} ${((seconds - (before.get(kind) ?? 0)) * 1000 / entries).toFixed(3)}`).join(', ')
}

/** CPU per entry between two `cpuByThread` readings, in ms: over all threads, and the main thread's. */
export function cpuPerEntry (before: Map<string, number>, after: Map<string, number>, entries: number): { all: number, main: number } {
  const sum = (kinds: Map<string, number>): number => [...kinds.values()].reduce((a, b) => a + b, 0)
  return { all: (sum(after) - sum(before)) * 1000 / entries, main: ((after.get('main') ?? 0) - (before.get('main') ?? 0)) * 1000 / entries }
}

/** Resident memory of a process, in MiB. */
export function rssMiB (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('VmRSS:')) ?? 'VmRSS: 0 kB'
  return Number(line.replace(/\D+/g, '')) / 1024
}

/** Runs a gxcat command to its end. */
export async function gxcatRun (args: string[]): Promise<void> {
  const child = spawn(process.execPath, [GXCAT_BIN, ...args], { stdio: 'ignore' })
  const code = await new Promise(resolve => child.on('exit', resolve))
  if (code !== 0) throw new Error(`gxcat ${args.join(' ')} exited ${String(code)}`)
}

/** Starts `gxcat start` on an initialised data directory and waits until its API answers. */
export async function startGxcat (dir: string, args: string[] = []): Promise<GxcatProcess> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [GXCAT_BIN, 'start', '--data', dir, '--http', `127.0.0.1:${port}`, '--listen', '/ip4/127.0.0.1/tcp/0', ...args], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } })
  const exited = new Promise(resolve => child.on('exit', resolve))
  let status: any
  for (let i = 0; ; i++) {
    status = await fetch(`${url}/v1/status`).then(async r => r.ok ? r.json() : undefined, () => undefined)
    if (status != null) break
    if (child.exitCode != null || i > 600) throw new Error(`gxcat start on ${dir} did not answer`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return {
    child,
    url,
    addr: status.addrs.find((a: string) => a.startsWith('/ip4/127.0.0.1/')),
    async stop () {
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** Waits until a node's shape workers have parsed the shapes (`ready` in its status), as in a node that has been running. */
export async function untilReady (url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await (await fetch(`${url}/v1/status`)).json()).ready === false) {
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs / 1000} s`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/**
 * Kept-alive connections for the publishing clients. node:http costs the benchmark's process
 * about 0.1 ms of CPU a request where fetch (undici) costs 0.26-0.33 ms: on a machine of few
 * cores the clients share the node's cores, and the cheaper client leaves them to the node.
 */
const publishAgent = new http.Agent({ keepAlive: true, maxSockets: 256 })

/** Publishes a VC-JWT through a node's HTTP API; anything but 201 is an error. */
export async function postCredential (url: string, jws: string): Promise<void> {
  const { hostname, port } = new URL(url)
  const { status, body } = await new Promise<{ status: number, body: string }>((resolve, reject) => {
    const request = http.request({ hostname, port, path: '/v1/self-descriptions', method: 'POST', agent: publishAgent, headers: { 'content-type': 'application/vc+jwt', 'content-length': Buffer.byteLength(jws) } }, response => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { text += chunk })
      response.on('end', () => { resolve({ status: response.statusCode ?? 0, body: text }) })
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(jws)
  })
  if (status !== 201) throw new Error(`publish: HTTP ${status} ${body}`)
}

/** Entries a node holds now. */
export async function entriesOf (url: string): Promise<number> {
  return (await (await fetch(`${url}/v1/status`)).json()).entries
}
