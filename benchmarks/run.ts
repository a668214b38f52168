/**
 * `npm run bench -- NAME…`: runs the named benchmarks (all when none is named).
 */
import { envelopeBenchmark } from './envelope.ts'
import { gaiaxBenchmark } from './gaia-x.ts'
import { loadBenchmark } from './load.ts'
import { networkBenchmark } from './network.ts'
import { nodeBenchmark } from './node.ts'
import { replicationBenchmark } from './replication.ts'
import { sparqlBenchmark } from './sparql.ts'
import { syncBenchmark } from './sync.ts'

const benchmarks: Record<string, () => Promise<void>> = {
  envelope: envelopeBenchmark,
  node: nodeBenchmark,
  network: networkBenchmark,
  sync: syncBenchmark,
  replication: replicationBenchmark,
  'gaia-x': gaiaxBenchmark,
  load: loadBenchmark,
  sparql: sparqlBenchmark
}

const names = process.argv.slice(2)
for (const name of names) {
  if (benchmarks[name] == null) {
    console.error(`UsageError: unknown benchmark "${name}" (known: ${Object.keys(benchmarks).join(', ')})`)
    process.exit(2)
  }
}
for (const name of names.length > 0 ? names : Object.keys(benchmarks)) await benchmarks[name]()
