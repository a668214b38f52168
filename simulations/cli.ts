/**
 * `npm run sim -- SCENARIO [--nodes N] [--seed S] [--out DIR]`: runs a built-in scenario
 * (propagation, churn, partition, late-join, attack) or a scenario file, with a progress bar,
 * and writes results.json, CSV files and SVG charts to DIR.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SingleBar, Presets } from 'cli-progress'
import { Command } from 'commander'
import { reportError, UsageError } from '../node/cli/errors.ts'
import { writeReport } from './report.ts'
import { runMultiProcess } from './multi-process.ts'
import { runScenario } from './run-scenario.ts'
import { parseScenario, ScenarioError } from './scenario.ts'
import { parseSweep, runSweep, sweepTable, writeSweepReport } from './sweep.ts'

const BUILT_IN = ['propagation', 'churn', 'partition', 'late-join', 'attack', 'dht', 'dht-churn', 'europe']

async function loadScenario (name: string): Promise<unknown> {
  const file = BUILT_IN.includes(name) ? new URL(`./scenarios/${name}.json`, import.meta.url) : name
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err: any) {
    throw new UsageError(`no scenario "${name}": not a built-in one (${BUILT_IN.join(', ')}) nor a readable file (${err.code ?? err.message})`)
  }
  try {
    return JSON.parse(text)
  } catch (err: any) {
    throw new ScenarioError(`${name} is not JSON: ${err.message}`)
  }
}

const program = new Command('sim')
  .description('run a gxcat network simulation: many real nodes in one process over the memory transport')
  .argument('<scenario>', `a built-in scenario (${BUILT_IN.join(', ')}) or a scenario JSON file`)
  .option('--nodes <n>', 'override the number of nodes')
  .option('--seed <s>', 'override the seed')
  .option('--out <dir>', 'output directory', 'out')
  .option('--processes <k>', 'spread the nodes over K processes talking TCP on loopback')
  .option('--netns', 'with --processes: each process in its own Linux network namespace (veth and a bridge, real kernel TCP stacks; needs root or CAP_NET_ADMIN)')
  .option('--virtual-time', 'one process on a discrete-event clock: every timer reads the simulation\'s clock, randomness comes from the seed, and the same seed gives the same results')
  .option('--sweep <key=v1,v2>', 'one run per value of a scenario key (e.g. link.loss=0,0.01,0.05) and seed, then a table and chart of means with 95 % confidence intervals (sweep.txt, sweep.csv, sweep.svg)')
  .option('--seeds <n>', 'with --sweep: runs per value, seeds S, S+1, … (default 5)', Number)
  .option('--nat <fraction>', 'with --netns: this fraction of the nodes behind NAT routers (nftables masquerade), as private nodes', Number)
  .option('--no-progress', 'no progress bar')
  .action(async (name: string, opts: { nodes?: string, seed?: string, out: string, progress: boolean, processes?: string, netns?: boolean, nat?: number, virtualTime?: boolean, sweep?: string, seeds?: number }) => {
    try {
      const raw = await loadScenario(name) as Record<string, unknown>
      if (opts.nodes != null) raw.nodes = Number(opts.nodes)
      if (opts.seed != null) raw.seed = Number(opts.seed)
      const scenario = parseScenario(raw, BUILT_IN.includes(name) ? name : 'scenario')
      if (opts.sweep != null) {
        if (opts.processes != null) throw new UsageError('--sweep runs in one process: leave out --processes')
        const seeds = opts.seeds ?? 5
        if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > 100) throw new UsageError('--seeds must be a whole number from 1 to 100')
        const result = await runSweep(raw, scenario.name, parseSweep(opts.sweep), seeds, { virtualTime: opts.virtualTime, onRun: (done, total) => { if (opts.progress && done < total) process.stderr.write(`run ${done + 1} of ${total}…\n`) } })
        await writeSweepReport(opts.out, result)
        process.stdout.write(`${sweepTable(result)}\n\nwritten to ${opts.out}/: sweep.txt, sweep.csv, sweep.json, sweep.svg\n`)
        process.exit(result.runs.every(r => r.status === 'complete') ? 0 : 3)
      }
      const bar = opts.progress && process.stderr.isTTY ? new SingleBar({ format: '{phase} [{bar}] {value}/{total}', stream: process.stderr }, Presets.shades_classic) : undefined
      bar?.start(scenario.nodes + scenario.publish.count, 0, { phase: 'starting nodes' })
      let lastPhase = ''
      const onProgress = (done: number, total: number, phase: string): void => {
        bar?.update(done, { phase })
        if (bar == null && phase !== lastPhase) process.stderr.write(`${phase}…\n`)
        lastPhase = phase
        void total
      }
      if (opts.netns === true && opts.processes == null) throw new UsageError('--netns needs --processes K: the namespaces hold processes')
      if (opts.virtualTime === true && opts.processes != null) throw new UsageError('--virtual-time runs in one process: leave out --processes (processes cannot share one clock)')
      if (opts.nat != null && opts.netns !== true) throw new UsageError('--nat needs --netns --processes K: the routers are network namespaces')
      const result = opts.processes != null
        ? await runMultiProcess(scenario, Number(opts.processes), { onProgress, netns: opts.netns, nat: opts.nat })
        : await runScenario(scenario, { onProgress, virtualTime: opts.virtualTime })
      let baseline
      if (scenario.attackers != null) {
        bar?.stop()
        process.stderr.write('baseline: the same run without attackers…\n')
        bar?.start(scenario.nodes + scenario.publish.count, 0, { phase: 'baseline' })
        baseline = await runScenario(scenario, { onProgress, withoutAttackers: true, virtualTime: opts.virtualTime })
      }
      bar?.stop()
      const summary = await writeReport(opts.out, result, baseline)
      process.stdout.write((await readFile(join(opts.out, 'summary.txt'), 'utf8')) + `\nwritten to ${opts.out}/: summary.txt, results.json, deliveries.csv, publishes.csv, nodes.csv, coverage.csv, delivery-cdf.svg, coverage.svg, bytes-per-node.svg\n`)
      // the run is over; libp2p timers of stopped nodes must not keep the process alive
      process.exit(summary.status === 'complete' ? 0 : 3)
    } catch (err) {
      reportError(err)
    }
  })

await program.parseAsync(process.argv)
