/**
 * Simulations in virtual time: the real node stack on a discrete-event clock. The same seed gives
 * byte-identical results, another seed other results, and timers fire at their virtual instants.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installVirtualTime, VIRTUAL_EPOCH } from '../../simulations/virtual-time.ts'
import { meanWithInterval, parseSweep, runSweep, writeSweepReport } from '../../simulations/sweep.ts'
import { startMember, stopMembers } from '../fixtures/network.ts'
import { tempDir } from '../fixtures/node.ts'

const scenario = (seed: number): Record<string, unknown> => ({ name: 'virtual', nodes: 50, seed, link: { latencyMs: 20, jitterMs: 5 }, publish: { count: 5, intervalMs: 500 } })

const SIM_CLI = fileURLToPath(new URL('../../simulations/cli.ts', import.meta.url))

/**
 * A run of `npm run sim -- FILE --virtual-time`, in a process of its own as a researcher runs
 * it, and its report files, less what says how long it took on this machine and how much
 * memory it held there.
 */
async function reportOf (seed: number): Promise<Record<string, string>> {
  const out = await tempDir()
  try {
    const file = join(out, 'scenario.json')
    await writeFile(file, JSON.stringify(scenario(seed)))
    const run = spawnSync(process.execPath, [SIM_CLI, file, '--virtual-time', '--no-progress', '--out', join(out, 'report')], { encoding: 'utf8', timeout: 120_000 })
    assert.equal(run.status, 0, run.stderr)
    const files: Record<string, string> = {}
    for (const name of (await readdir(join(out, 'report'))).sort()) {
      if (name.endsWith('.svg')) continue
      files[name] = await readFile(join(out, 'report', name), 'utf8')
    }
    const results = JSON.parse(files['results.json'])
    assert.equal(results.status, 'complete')
    assert.equal(results.deliveryRatio, 1)
    assert.equal(results.mode.name, 'virtual time')
    for (const machineBound of ['machine', 'rss']) delete results[machineBound]
    delete results.summary.rssPeakMb
    delete results.summary.rssPerNodeMb
    delete results.mode.wallMs
    delete results.summary.mode.wallMs
    files['results.json'] = JSON.stringify(results)
    files['summary.txt'] = files['summary.txt'].split('\n').filter(line => !/^(RSS|mode) /.test(line)).join('\n')
    return files
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}

describe('simulations in virtual time', function () {
  this.timeout(180_000)

  it('gives byte-identical results for one seed, and other results for another', async () => {
    const first = await reportOf(7)
    const again = await reportOf(7)
    assert.deepEqual(Object.keys(again), Object.keys(first))
    for (const name of Object.keys(first)) assert.equal(again[name], first[name], `${name} differs between two runs of seed 7`)
    const other = await reportOf(8)
    assert.notEqual(other['deliveries.csv'], first['deliveries.csv'])
  })

  it('fires the anti-entropy timer at its virtual instants, the same in every run, without waiting for them', async () => {
    const sessionTimes = async (): Promise<{ times: number[], wallMs: number }> => {
      const wallNow = performance.now.bind(performance)
      const wallStart = wallNow()
      const clock = installVirtualTime({ seed: 3 })
      try {
        return await clock.run(async () => {
          const periodic = await startMember([], { sync: { intervalMs: 10_000 } })
          const silent = await startMember(periodic.network.addrs(), { sync: { intervalMs: 1e9 } })
          const times: number[] = []
          let seen = 0
          try {
            // 60 virtual seconds, looked at every virtual 50 ms
            while (Date.now() - VIRTUAL_EPOCH < 60_000) {
              await new Promise(resolve => setTimeout(resolve, 50))
              const text = await periodic.node.metrics.registry.metrics()
              const sessions = [...text.matchAll(/gxcat_sync_sessions_total\{[^}]*\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0)
              for (; seen < sessions; seen++) times.push(Date.now() - VIRTUAL_EPOCH)
            }
          } finally {
            await stopMembers([periodic, silent])
          }
          return { times, wallMs: wallNow() - wallStart }
        })
      } finally {
        clock.uninstall()
      }
    }
    const run = await sessionTimes()
    // one session when the peers meet, then one every 0.5 to 1.5 intervals
    assert.ok(run.times.length >= 4, `sessions at ${run.times.join(', ')} ms`)
    for (let i = 2; i < run.times.length; i++) {
      const gap = run.times[i] - run.times[i - 1]
      assert.ok(gap >= 5_000 - 50 && gap <= 15_000 + 50, `sessions at ${run.times.join(', ')} ms: a gap of ${gap} ms`)
    }
    assert.ok(run.wallMs < 30_000, `60 virtual seconds took ${Math.round(run.wallMs)} ms of this machine's time`)
    assert.deepEqual((await sessionTimes()).times, run.times)
  })

  it('sweeps a scenario key over values and seeds, with means and 95 % confidence intervals', async () => {
    const { mean, ci95 } = meanWithInterval([10, 12, 14])
    assert.equal(mean, 12)
    assert.ok(Math.abs(ci95 - 4.303 * 2 / Math.sqrt(3)) < 1e-9, `t(0.975, 2) · s / √n, not ${ci95}`)
    assert.deepEqual(meanWithInterval([5]), { mean: 5, ci95: 0 })
    assert.throws(() => parseSweep('link.loss'), /key=v1,v2/)
    assert.throws(() => parseSweep('link.loss=0,x'), /must be a number/)
    const raw = { name: 'sweep', nodes: 12, seed: 4, link: { latencyMs: 20, jitterMs: 5 }, publish: { count: 3, intervalMs: 500 } }
    // a value the scenario refuses stops the sweep before any run
    await assert.rejects(runSweep(raw, 'sweep', parseSweep('link.loss=0,2'), 2, { virtualTime: true }), { name: 'ScenarioError' })
    const result = await runSweep(raw, 'sweep', parseSweep('link.latencyMs=10,60'), 2, { virtualTime: true })
    assert.deepEqual(result.seeds, [4, 5])
    assert.deepEqual(result.runs.map(r => [r.value, r.seed, r.status]), [[10, 4, 'complete'], [10, 5, 'complete'], [60, 4, 'complete'], [60, 5, 'complete']])
    const [near, far] = result.points.map(p => p.figures.all_p50_ms?.mean as number)
    assert.ok(far > near + 40, `six times the latency takes longer: ${near} ms against ${far} ms`)
    // each run is a process of its own: a run gives the same figures whatever ran before it
    const alone = await runSweep({ ...raw, seed: 5 }, 'sweep', parseSweep('link.latencyMs=60,10'), 1, { virtualTime: true })
    assert.deepEqual(alone.runs[0], result.runs[3])
    assert.deepEqual(alone.runs[1], result.runs[1])
    const out = await tempDir()
    try {
      await writeSweepReport(out, result)
      const table = await readFile(join(out, 'sweep.csv'), 'utf8')
      assert.equal(table.split('\n')[0], 'link.latencyMs,seed,status,all_p50_ms,all_p99_ms,per_node_p50_ms,delivery_ratio,wire_duplicates_per_node_message')
      assert.match(await readFile(join(out, 'sweep.svg'), 'utf8'), /^<svg/)
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  })
})
