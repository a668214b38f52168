import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateJws } from '../../../simulations/generator.ts'
import { gxcat } from '../../fixtures/cli.ts'
import { startCliNode, type CliNode } from '../../fixtures/cli-node.ts'
import { tempDir } from '../../fixtures/node.ts'
import { waitFor } from '../../fixtures/wait.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

describe('gxcat init, start, publish, query, revoke', function () {
  this.timeout(120_000)
  let dir: string
  let node: CliNode

  before(async () => {
    dir = await tempDir()
    const init = await gxcat(['init', '--data', join(dir, 'node')])
    assert.equal(init.code, 0, init.stderr)
    assert.match(init.stdout, /peer id: 12D3KooW/)
    const config = JSON.parse(await readFile(join(dir, 'node', 'config.json'), 'utf8'))
    assert.equal(config.http, '127.0.0.1:7420')
    assert.ok(config.token.length > 20)
    const again = await gxcat(['init', '--data', join(dir, 'node')])
    assert.match(again.stderr, /^ConfigError: .*already initialised/)
    node = await startCliNode(join(dir, 'node'))
    assert.match(node.output(), /peer id: 12D3KooW/)
    assert.match(node.output(), new RegExp(`http: ${node.url}`))
  })

  after(async () => {
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('publishes a directory of JWS lines, and JSON signed with --key', async () => {
    await writeFile(join(dir, 'batch.jsonl'), (await generateJws(40, { seed: 31 })).join('\n') + '\n')
    const publish = await gxcat(['publish', '--node', node.url, join(dir, 'batch.jsonl')])
    assert.equal(publish.code, 0, publish.stderr)
    const summary = JSON.parse(publish.stdout)
    assert.equal(summary.published, 40)
    assert.equal(summary.statuses.active, 40)

    await gxcat(['keygen', '--out', join(dir, 'k.json')])
    await writeFile(join(dir, 'sd.json'), JSON.stringify(serviceOffering('https://provider.example/services/cli')))
    const signed = await gxcat(['publish', '--node', node.url, '--key', join(dir, 'k.json'), join(dir, 'sd.json')])
    assert.equal(signed.code, 0, signed.stderr)
    const unsigned = await gxcat(['publish', '--node', node.url, join(dir, 'sd.json')])
    assert.match(unsigned.stderr, /^UsageError: .*pass --key/)
  })

  it('reports refused items and exits 1', async () => {
    await writeFile(join(dir, 'bad.jwt'), 'not-a-jws\n')
    const publish = await gxcat(['publish', '--node', node.url, join(dir, 'bad.jwt')])
    assert.equal(publish.code, 1)
    assert.equal(JSON.parse(publish.stdout).statuses.InvalidEnvelopeError, 1)
    assert.match(publish.stderr, /^PublishError: 1 of 1 refused/)
  })

  it('counts as published only what the node stored', async () => {
    // two lines of prose with --key: neither is sent, neither is published
    await writeFile(join(dir, 'notes.txt'), 'remember the milk\nand the bread\n')
    const notes = await gxcat(['publish', '--node', node.url, '--key', join(dir, 'k.json'), join(dir, 'notes.txt')])
    assert.equal(notes.code, 1)
    const summary = JSON.parse(notes.stdout)
    assert.deepEqual([summary.published, summary.submitted, summary.statuses], [0, 2, { InvalidEnvelopeError: 2 }])
    assert.match(notes.stderr, /^PublishError: 2 of 2 refused; first: .*notes\.txt:1: InvalidEnvelopeError: neither JSON nor a compact JWS/)
    // the same credential again: a duplicate, not published again
    const again = await gxcat(['publish', '--node', node.url, join(dir, 'batch.jsonl')])
    assert.deepEqual([JSON.parse(again.stdout).published, JSON.parse(again.stdout).statuses], [0, { duplicate: 40 }])
  })

  it('says where a JSON file given with --key breaks', async () => {
    await writeFile(join(dir, 'broken.json'), '{\n  "id": "https://provider.example/x",\n  "type": "gx:ServiceOffering"\n  "schema:name": "x"\n}\n')
    const broken = await gxcat(['publish', '--node', node.url, '--key', join(dir, 'k.json'), join(dir, 'broken.json')])
    assert.equal(broken.code, 1)
    assert.match(broken.stderr, /^PublishError: 1 of 1 refused; first: .*broken\.json: InvalidJsonError: not JSON: .*\(line 4 column 3\)/)
  })

  it('warns of a --type that names no known type, with the nearest known ones', async () => {
    for (const [type, hint] of [['gx:ServiceOfering', /did you mean gx:ServiceOffering\?/], ['ServiceOffering', /did you mean gx:ServiceOffering\?/], ['foo:Bar', /"foo:" is no prefix a filter reads/]] as const) {
      const r = await gxcat(['query', '--node', node.url, '--type', type])
      assert.equal(r.code, 0)
      assert.equal(JSON.parse(r.stdout).count, 0)
      assert.match(r.stderr, /^warning: type ".*"/)
      assert.match(r.stderr, hint)
    }
    const known = await gxcat(['query', '--node', node.url, '--type', 'gx:ServiceOffering', '--limit', '1'])
    assert.equal(known.stderr, '')
  })

  it('queries by type, text and SPARQL', async () => {
    const byType = JSON.parse((await gxcat(['query', '--node', node.url, '--type', 'gx:ServiceOffering', '--all', '--limit', '7'])).stdout)
    assert.ok(byType.count > 10)
    assert.ok(byType.items.every((i: any) => i.types.includes('gx:ServiceOffering')))
    const byText = JSON.parse((await gxcat(['query', '--node', node.url, '--q', 'Demo storage'])).stdout)
    assert.equal(byText.count, 1)
    const sparql = await gxcat(['query', '--node', node.url, '--sparql', 'SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/gaia-x/development#ServiceOffering> }'])
    assert.equal(JSON.parse(sparql.stdout).results.bindings[0].n.value, String(byType.count))
    const bad = await gxcat(['query', '--node', node.url, '--sparql', 'SELECT nonsense'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^InvalidQueryError: /)
  })

  it('revokes an entry', async () => {
    const revoke = await gxcat(['revoke', '--node', node.url, '--key', join(dir, 'k.json'), 'https://provider.example/services/cli'])
    assert.equal(revoke.code, 0, revoke.stderr)
    assert.equal(JSON.parse(revoke.stdout).status, 'revoked')
    const byText = JSON.parse((await gxcat(['query', '--node', node.url, '--q', 'Demo storage'])).stdout)
    assert.equal(byText.count, 0)
  })

  it('refuses trust policy anchors with nothing to trust, and a trust anchor file that is not a certificate', async () => {
    const r = await gxcat(['start', '--data', join(dir, 'anchors'), '--http', '127.0.0.1:0', '--trust', 'anchors'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /ConfigError: trust policy "anchors" needs at least one trust anchor/)
    await writeFile(join(dir, 'not-a-cert.pem'), 'hello')
    const bad = await gxcat(['start', '--data', join(dir, 'anchors'), '--http', '127.0.0.1:0', '--trust', 'anchors', '--trust-anchor', join(dir, 'not-a-cert.pem')])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /ConfigError: .*holds no PEM certificate/)
  })

  it('names an unreachable node', async () => {
    const r = await gxcat(['query', '--node', 'http://127.0.0.1:1'])
    assert.match(r.stderr, /^NodeUnreachableError: /)
  })

  it('stops cleanly on SIGTERM', async () => {
    assert.equal(await node.stop('SIGTERM'), 0)
  })

  it('logs when the SPARQL index rebuilt at a restart answers, and for how many entries', async () => {
    const again = await startCliNode(join(dir, 'node'), [], { LOG_LEVEL: 'info' })
    try {
      const { entries } = await (await fetch(`${again.url}/v1/status`)).json()
      assert.ok(entries > 0)
      await waitFor(async () => again.output().includes('SPARQL index loaded'), 30_000, 'the SPARQL index to load')
      const line = again.output().split('\n').find(l => l.includes('SPARQL index loaded')) as string
      assert.equal(JSON.parse(line).entries, entries)
      assert.deepEqual((await (await fetch(`${again.url}/v1/status`)).json()).sparql, { state: 'ready' })
    } finally {
      assert.equal(await again.stop('SIGTERM'), 0)
    }
  })
})
