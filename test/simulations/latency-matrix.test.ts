import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { LATENCY_MATRICES, latencyMatrix, regionOf, SAME_REGION_MS } from '../../simulations/latency-matrix.ts'
import { linkLatencyMs } from '../../simulations/link-latency.ts'
import { parseScenario } from '../../simulations/scenario.ts'

describe('measured latency matrices (scenario link.matrix)', () => {
  it('ships each data set with its source, its licence and a square matrix of round-trip times', () => {
    for (const name of LATENCY_MATRICES) {
      const matrix = latencyMatrix(name)
      assert.match(matrix.source, /https:\/\//)
      assert.match(matrix.licence, /CC BY 4\.0/)
      assert.equal(matrix.rttMs.length, matrix.regions.length)
      matrix.rttMs.forEach((row, i) => {
        assert.equal(row.length, matrix.regions.length)
        row.forEach((rtt, j) => { if (i === j) assert.equal(rtt, null); else assert.ok(typeof rtt === 'number' && rtt > 0 && rtt < 500) })
      })
    }
  })

  it('gives a link half the mean round trip between its ends\' regions, the same from either end and in every run of a seed', () => {
    const matrix = latencyMatrix('azure-europe-2026-07')
    const link = { latencyMs: 20, jitterMs: 0, matrix: 'azure-europe-2026-07' }
    const seed = 9
    let crossRegion = 0
    for (let a = 0; a < 40; a++) {
      for (let b = a + 1; b < 40; b++) {
        const ra = regionOf(seed, matrix, a)
        const rb = regionOf(seed, matrix, b)
        const expected = ra === rb ? SAME_REGION_MS : ((matrix.rttMs[ra][rb] as number) + (matrix.rttMs[rb][ra] as number)) / 4
        assert.equal(linkLatencyMs(seed, link, a, b), expected)
        assert.equal(linkLatencyMs(seed, link, b, a), expected)
        if (ra !== rb) crossRegion++
      }
    }
    assert.ok(crossRegion > 500, 'nodes spread over the regions')
    // Frankfurt ↔ Madrid: 30 and 32 ms round trip measured → 15.5 ms one way
    const names = matrix.regions.map(r => r.city)
    const fra = names.indexOf('Frankfurt')
    const mad = names.indexOf('Madrid')
    assert.equal(((matrix.rttMs[fra][mad] as number) + (matrix.rttMs[mad][fra] as number)) / 4, 15.5)
  })

  it('every built-in scenario file parses, the measured-latency one included', () => {
    const folder = new URL('../../simulations/scenarios/', import.meta.url)
    const names = readdirSync(folder).filter(f => f.endsWith('.json'))
    assert.ok(names.includes('europe.json') && names.includes('dht-churn.json'))
    for (const name of names) parseScenario(JSON.parse(readFileSync(new URL(name, folder), 'utf8')), name)
    assert.equal(parseScenario(JSON.parse(readFileSync(new URL('europe.json', folder), 'utf8'))).link.matrix, 'azure-europe-2026-07')
  })

  it('is checked in the scenario: a shipped data set, and not beside latencyMs', () => {
    assert.equal(parseScenario({ name: 'm', nodes: 5, link: { matrix: 'azure-europe-2026-07' } }).link.matrix, 'azure-europe-2026-07')
    assert.throws(() => parseScenario({ name: 'm', nodes: 5, link: { matrix: 'moon' } }), { name: 'ScenarioError', message: /link\.matrix must be one of the shipped latency data sets: azure-europe-2026-07/ })
    assert.throws(() => parseScenario({ name: 'm', nodes: 5, link: { matrix: 'azure-europe-2026-07', latencyMs: 5 } }), { name: 'ScenarioError', message: /latencyMs or matrix, not both/ })
  })
})
