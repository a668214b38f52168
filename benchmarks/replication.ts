/**
 * `npm run bench -- replication`: three `gxcat start` processes over TCP on 127.0.0.1, the
 * second and third bootstrapped from the first. N entries (1,000, then 10,000) are published
 * on the first through its HTTP API (32 clients); timed: until the other two hold all of them,
 * from the first publish and from the last (target: within 1 s of the last). Then a fourth node
 * joins late: its catch-up from its API answering, in entries/s (target ≥ 5,000/s).
 * REPLICATION_SIZES (e.g. `1000,10000`) changes the run.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateJws } from '../simulations/generator.ts'
import { entriesOf, gxcatRun, postCredential, startGxcat, untilReady, type GxcatProcess } from './processes.ts'
import { fmt } from './raw-verify.ts'

const sizes = (process.env.REPLICATION_SIZES ?? '1000,10000').split(',').map(Number)
const POLL_MS = 20

async function until (check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
  return performance.now()
}

async function node (root: string, name: string, args: string[] = []): Promise<GxcatProcess> {
  const dir = join(root, name)
  await gxcatRun(['init', '--data', dir])
  return startGxcat(dir, args)
}

async function round (count: number): Promise<void> {
  const credentials = await generateJws(count, { seed: 17 + count })
  const root = await mkdtemp(join(tmpdir(), 'gxcat-replication-'))
  const nodes: GxcatProcess[] = []
  try {
    const a = await node(root, 'a')
    nodes.push(a, await node(root, 'b', ['--bootstrap', a.addr]), await node(root, 'c', ['--bootstrap', a.addr]))
    const others = nodes.slice(1)
    // gossip needs a mesh: wait until each of the others sees a peer
    await until(async () => (await Promise.all(others.map(async n => (await (await fetch(`${n.url}/v1/peers`)).json()).peers.length))).every(p => p > 0), 30_000, 'the three nodes to connect')
    await new Promise(resolve => setTimeout(resolve, 1500)) // a gossipsub heartbeat or two to form the mesh
    // and the official shapes parsed in every node's workers, as in a node that has been running
    await Promise.all(nodes.map(async n => untilReady(n.url)))

    const started = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < credentials.length) await postCredential(a.url, credentials[next++])
    }))
    const published = performance.now()
    const held = await until(async () => (await Promise.all(others.map(async n => entriesOf(n.url)))).every(n => n === count), 300_000, 'the others to hold every entry')
    console.log(`  ${fmt(count)} entries published on one node in ${fmt((published - started) / 1000, 1)} s (${fmt(count / ((published - started) / 1000))}/s); both others hold all ${fmt((held - started) / 1000, 1)} s after the first publish, ${fmt((held - published) / 1000, 2)} s after the last (target ≤ 0.5 s)`)

    const joinStarted = performance.now()
    const late = await node(root, 'late', ['--bootstrap', a.addr])
    nodes.push(late)
    const answering = performance.now()
    let first: number | undefined
    const caughtUp = await until(async () => {
      const held = await entriesOf(late.url)
      if (held > 0) first ??= performance.now()
      return held === count
    }, 300_000, 'the late joiner to catch up')
    const seconds = (caughtUp - answering) / 1000
    console.log(`  late joiner: API answering ${fmt((answering - joinStarted) / 1000, 1)} s after its start, its first entry ${fmt(((first ?? caughtUp) - answering))} ms later (target ≤ 300), holds all ${fmt(count)} ${fmt(seconds, 2)} s later (target ≤ 1 s for 1,000): ${fmt(count / seconds)} entries/s`)
  } finally {
    await Promise.all(nodes.map(async n => n.stop()))
    await rm(root, { recursive: true, force: true })
  }
}

export async function replicationBenchmark (): Promise<void> {
  console.log('replication: gxcat start processes over TCP on 127.0.0.1')
  for (const count of sizes) await round(count)
}
