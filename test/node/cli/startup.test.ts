import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GXCAT_BIN } from '../../fixtures/cli.ts'

/** Records every module the process loads, written at exit to the file $MODULES_OUT. */
const RECORD_MODULES = 'data:text/javascript,' + encodeURIComponent(`
import { registerHooks } from 'node:module'
import { writeFileSync } from 'node:fs'
const seen = []
registerHooks({ resolve (specifier, context, next) { const resolved = next(specifier, context); seen.push(resolved.url); return resolved } })
process.on('exit', () => { writeFileSync(process.env.MODULES_OUT, JSON.stringify(seen)) })
`)

/** What a node needs and a client command must not load: the network, the store, RDF, shapes, the HTTP server. */
const HEAVY = /\/node_modules\/(libp2p|@libp2p|@chainsafe|oxigraph|n3|shacl-engine|classic-level|level|fastify|pino)\//

let runs = 0

async function modulesLoadedBy (dir: string, args: string[]): Promise<string[]> {
  const out = join(dir, `modules-${runs++}.json`)
  const child = spawn(process.execPath, ['--import', RECORD_MODULES, GXCAT_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MODULES_OUT: out } })
  let stderr = ''
  child.stderr.on('data', d => { stderr += d })
  await new Promise(resolve => child.on('close', resolve))
  try {
    return JSON.parse(await readFile(out, 'utf8'))
  } catch (err: any) {
    throw new Error(`no module list from gxcat ${args.join(' ')} (${err.message}): ${stderr}`)
  }
}

describe('gxcat start-up', () => {
  let dir: string

  before(async () => { dir = await mkdtemp(join(tmpdir(), 'gxcat-cli-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('--help, keygen, query and publish of a signed credential load none of the node', async () => {
    await writeFile(join(dir, 'one.jwt'), 'eyJhbGciOiJFZERTQSJ9.e30.c2ln\n')
    const runs = [
      ['--help'],
      ['keygen', '--out', join(dir, 'key.json')],
      ['query', '--node', 'http://127.0.0.1:9', '--type', 'gx:ServiceOffering'],
      ['publish', join(dir, 'one.jwt'), '--node', 'http://127.0.0.1:9']
    ]
    for (const args of runs) {
      const modules = await modulesLoadedBy(dir, args)
      assert.ok(modules.some(url => url.includes('commander')), `${args[0]}: the module list is recorded`)
      assert.deepEqual(modules.filter(url => HEAVY.test(url)), [], `gxcat ${args.join(' ')}`)
    }
  })

  it('keeps V8\'s code cache of its modules in the temporary directory for the next start', async () => {
    const temp = join(dir, 'tmp')
    await mkdir(temp)
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temp }
    delete env.NODE_COMPILE_CACHE
    const child = spawn(process.execPath, [GXCAT_BIN, '--help'], { stdio: 'ignore', env })
    await new Promise(resolve => child.on('close', resolve))
    const files = await readdir(join(temp, 'node-compile-cache'), { recursive: true })
    assert.ok(files.some(name => /[0-9a-f]{6}/.test(name)), 'the cache holds compiled modules')
  })

  it('start still loads the node', async () => {
    const modules = await modulesLoadedBy(dir, ['start', '--data', join(dir, 'data'), '--http', '127.0.0.1:-1'])
    assert.ok(modules.some(url => HEAVY.test(url)))
  })
})
