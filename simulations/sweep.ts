/**
 * `--sweep key=v1,v2,… [--seeds N]`: one run of a scenario per value and seed, then a table and
 * a chart of each figure's mean across the seeds with its 95 % confidence interval (Student's t).
 * `key` is a dotted path into the scenario (`link.loss`, `link.latencyMs`, `node.targetPeers`,
 * `attackers.fraction`, …); every run is checked as its own scenario before the sweep starts.
 * Each run is a process of its own (the sim CLI on the run's scenario): what one run leaves in a
 * process (caches, pools, the clock's seeded randomness) does not shift the next, so that a run
 * of a virtual-time sweep gives what the same run gives alone.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { csv, svg, type Summary } from './report.ts'
import { parseScenario, ScenarioError, type Scenario } from './scenario.ts'

export interface SweepSpec {
  key: string
  values: number[]
}

/** The figures a sweep compares, by the name the table and CSV give them. */
const FIGURES = {
  all_p50_ms: (s: Summary) => s.allNodesP50Ms,
  all_p99_ms: (s: Summary) => s.allNodesP99Ms,
  per_node_p50_ms: (s: Summary) => s.perNodeP50Ms,
  delivery_ratio: (s: Summary) => s.deliveryRatio,
  wire_duplicates_per_node_message: (s: Summary) => s.wire.duplicatesPerNodePerMessage
} satisfies Record<string, (s: Summary) => number | undefined>

type Figure = keyof typeof FIGURES

export interface SweepRun {
  value: number
  seed: number
  status: string
  figures: Record<Figure, number | undefined>
}

export interface SweepPoint {
  value: number
  runs: number
  /** mean and the half-width of its 95 % confidence interval, by figure */
  figures: Record<Figure, { mean: number, ci95: number } | undefined>
}

export interface SweepResult {
  scenario: string
  key: string
  seeds: number[]
  virtualTime: boolean
  runs: SweepRun[]
  points: SweepPoint[]
}

export function parseSweep (text: string): SweepSpec {
  const match = /^([A-Za-z][\w]*(?:\.[A-Za-z][\w]*)*)=(.+)$/.exec(text)
  if (match == null) throw new ScenarioError(`--sweep takes key=v1,v2,… (e.g. link.loss=0,0.01,0.05), not "${text}"`)
  const values = match[2].split(',').map(v => Number(v.trim()))
  if (values.some(v => !Number.isFinite(v))) throw new ScenarioError(`--sweep ${match[1]}: every value must be a number, not "${match[2]}"`)
  if (values.length < 2) throw new ScenarioError(`--sweep ${match[1]}: give at least two values`)
  return { key: match[1], values }
}

/** The scenario with `key` set to `value` (a copy), checked. */
export function scenarioWith (raw: Record<string, unknown>, key: string, value: number, seed: number, name: string): Scenario {
  const copy = structuredClone(raw)
  const path = key.split('.')
  let at: Record<string, unknown> = copy
  for (const part of path.slice(0, -1)) {
    at[part] ??= {}
    if (typeof at[part] !== 'object' || at[part] === null) throw new ScenarioError(`--sweep ${key}: ${part} is not an object in the scenario`)
    at = at[part] as Record<string, unknown>
  }
  at[path[path.length - 1]] = value
  copy.seed = seed
  return parseScenario(copy, `${name} with ${key}=${value}`)
}

// two-sided 97.5 % quantiles of Student's t for 1 to 30 degrees of freedom
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]

/** The mean of `values` and the half-width of its 95 % confidence interval (0 for one value). */
export function meanWithInterval (values: number[]): { mean: number, ci95: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  if (values.length < 2) return { mean, ci95: 0 }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)
  const t = T975[values.length - 2] ?? 1.96
  return { mean, ci95: t * Math.sqrt(variance / values.length) }
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

export class SweepRunError extends Error {
  static name = 'SweepRunError'
  name = 'SweepRunError'
}

/** One run in a process of its own: the sim CLI on the run's scenario; its summary. */
async function runAlone (scenario: Scenario, virtualTime: boolean): Promise<Summary> {
  const dir = await mkdtemp(join(tmpdir(), 'gxcat-sweep-'))
  try {
    const file = join(dir, 'scenario.json')
    await writeFile(file, JSON.stringify(scenario))
    const args = [...process.execArgv, CLI, file, '--out', join(dir, 'out'), '--no-progress', ...(virtualTime ? ['--virtual-time'] : [])]
    const stderr: Buffer[] = []
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      child.stderr.on('data', (chunk: Buffer) => { stderr.push(chunk) })
      child.on('error', reject)
      child.on('exit', resolve)
    })
    // 3: over its budget, with what it measured written
    if (code !== 0 && code !== 3) throw new SweepRunError(`the run of ${scenario.name} with seed ${scenario.seed} failed (exit ${code}): ${Buffer.concat(stderr).toString().trim().split('\n').slice(-3).join(' ')}`)
    return (JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8')) as { summary: Summary }).summary
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export async function runSweep (raw: Record<string, unknown>, name: string, spec: SweepSpec, seedCount: number, options: { virtualTime?: boolean, onRun?: (done: number, total: number) => void } = {}): Promise<SweepResult> {
  const firstSeed = typeof raw.seed === 'number' ? raw.seed : 1
  const seeds = Array.from({ length: seedCount }, (_, i) => firstSeed + i)
  // every run's scenario is checked before the first starts
  const plan = spec.values.flatMap(value => seeds.map(seed => ({ value, seed, scenario: scenarioWith(raw, spec.key, value, seed, name) })))
  const runs: SweepRun[] = []
  for (const [i, { value, seed, scenario }] of plan.entries()) {
    options.onRun?.(i, plan.length)
    const summary = await runAlone(scenario, options.virtualTime === true)
    runs.push({ value, seed, status: summary.status, figures: Object.fromEntries(Object.entries(FIGURES).map(([figure, of]) => [figure, of(summary)])) as SweepRun['figures'] })
  }
  options.onRun?.(plan.length, plan.length)
  const points = spec.values.map(value => {
    const mine = runs.filter(r => r.value === value)
    const figures = Object.fromEntries((Object.keys(FIGURES) as Figure[]).map(figure => {
      const values = mine.map(r => r.figures[figure]).filter((v): v is number => v != null)
      return [figure, values.length === 0 ? undefined : meanWithInterval(values)]
    })) as SweepPoint['figures']
    return { value, runs: mine.length, figures }
  })
  return { scenario: name, key: spec.key, seeds, virtualTime: options.virtualTime === true, runs, points }
}

export function sweepTable (result: SweepResult): string {
  const figures = Object.keys(FIGURES) as Figure[]
  const fmt = (v: { mean: number, ci95: number } | undefined): string => v == null ? '—' : `${v.mean.toFixed(v.mean < 10 ? 3 : 1)} ± ${v.ci95.toFixed(v.mean < 10 ? 3 : 1)}`
  const header = [result.key, 'runs', ...figures]
  const rows = result.points.map(p => [String(p.value), String(p.runs), ...figures.map(f => fmt(p.figures[f]))])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
  return [`${result.scenario}: sweep of ${result.key} over seeds ${result.seeds.join(', ')}${result.virtualTime ? ', virtual time' : ''}; mean ± 95 % confidence interval`, line(header), ...rows.map(line)].join('\n')
}

export async function writeSweepReport (out: string, result: SweepResult): Promise<void> {
  await mkdir(out, { recursive: true })
  const figures = Object.keys(FIGURES) as Figure[]
  await writeFile(join(out, 'sweep.json'), JSON.stringify(result, null, 2))
  await writeFile(join(out, 'sweep.csv'), csv([result.key, 'seed', 'status', ...figures], result.runs.map(r => [r.value, r.seed, r.status, ...figures.map(f => r.figures[f])])))
  await writeFile(join(out, 'sweep.txt'), sweepTable(result) + '\n')
  const values = result.points.flatMap(p => (['all_p50_ms', 'all_p99_ms'] as const).flatMap(figure => {
    const f = p.figures[figure]
    return f == null ? [] : [{ value: p.value, figure, mean: f.mean, low: f.mean - f.ci95, high: f.mean + f.ci95 }]
  }))
  const x = { field: 'value', type: 'quantitative', title: result.key } as const
  await writeFile(join(out, 'sweep.svg'), await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    height: 300,
    title: { text: `${result.scenario}: time until all nodes hold an entry, by ${result.key}`, subtitle: `mean and 95 % confidence interval over ${result.seeds.length} seeds${result.virtualTime ? ', virtual time' : ''}` },
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'ms' }, color: { field: 'figure', type: 'nominal' } } },
      { mark: 'errorbar', encoding: { x, y: { field: 'low', type: 'quantitative', title: 'ms' }, y2: { field: 'high' }, color: { field: 'figure', type: 'nominal' } } }
    ]
  }))
}
