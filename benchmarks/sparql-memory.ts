/**
 * What the SPARQL index costs in memory: a node restarted on a store, each time in a process of
 * its own (memory a process once held is not given back, so one process cannot measure both),
 * once with SPARQL (its index rebuilt), once with two SPARQL engines and once without; the
 * differences in resident memory. The node benchmark runs it; as a script,
 * `node benchmarks/sparql-memory.ts DIR sparql|sparql2|none`
 * prints the resident MiB of one such process.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createCatalogueNode, type CatalogueNode } from '../node/catalogue-node.ts'
import { rssMiB } from './processes.ts'

/** how long a started node is left before its memory is read: the shape workers parse their shapes meanwhile */
const SETTLE_MS = 2000
const SCRIPT = fileURLToPath(import.meta.url)

/** Resolves once a started node answers SPARQL: its index is rebuilt (503 SparqlUnavailableError until then). */
export async function untilSparqlAnswers (node: CatalogueNode): Promise<void> {
  for (;;) {
    try {
      await node.sparql('ASK { ?s ?p ?o }')
      return
    } catch (err: any) {
      if (err.name !== 'SparqlUnavailableError') throw err
    }
  }
}

type Mode = 'sparql' | 'sparql2' | 'none'

async function residentAfterStart (dir: string, mode: Mode): Promise<number> {
  const sparql = mode !== 'none'
  const node = createCatalogueNode({ dataDir: dir, sparql, sparqlWorkers: mode === 'sparql2' ? 2 : 1 })
  await node.start()
  try {
    if (sparql) await untilSparqlAnswers(node)
    await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
    return rssMiB(process.pid)
  } finally {
    await node.stop()
  }
}

async function inChild (dir: string, mode: Mode): Promise<number> {
  const child = spawn(process.execPath, [SCRIPT, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => { out += text })
  const code = await new Promise(resolve => child.on('exit', resolve))
  if (code !== 0) throw new Error(`${SCRIPT} ${dir} ${mode} exited ${String(code)}`)
  return Number(out.trim())
}

/** Resident MiB of a node restarted on `dir` with its SPARQL index, with two engines holding it (--sparql-workers 2), and without one. */
export async function sparqlIndexMemory (dir: string): Promise<{ withIndex: number, twoEngines: number, without: number }> {
  return { withIndex: await inChild(dir, 'sparql'), twoEngines: await inChild(dir, 'sparql2'), without: await inChild(dir, 'none') }
}

if (process.argv[1] === SCRIPT) {
  const [dir, mode] = process.argv.slice(2)
  if (dir == null || (mode !== 'sparql' && mode !== 'sparql2' && mode !== 'none')) {
    console.error('UsageError: node benchmarks/sparql-memory.ts DIR sparql|sparql2|none')
    process.exit(2)
  }
  console.log((await residentAfterStart(dir, mode)).toFixed(0))
}
