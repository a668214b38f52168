/**
 * The README's quick start, run as written: `npm start` (on a data directory of its own), then
 * its second block as one bash script in a directory of the repository, with the repository's
 * `npx gxcat`. What it says the commands do is checked against the node, and so are the
 * mistake it quotes and the development-vocabulary sample of the CLI section.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from '../fixtures/node.ts'
import { waitFor } from '../fixtures/wait.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const NODE_URL = 'http://127.0.0.1:7420'
const run = promisify(execFile)

/** The text of a README section, from its `## ` heading to the next. */
function section (readme: string, heading: string): string {
  const start = readme.indexOf(`## ${heading}\n`)
  assert.ok(start >= 0, `the README has a section "${heading}"`)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end < 0 ? undefined : end)
}

function codeBlocks (text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1])
}

async function portIsFree (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer().once('error', () => { resolve(false) }).listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

describe('the README', function () {
  this.timeout(180_000)
  let readme: string
  let work: string
  let node: ChildProcess | undefined
  let nodeOutput = ''
  // the repository's Node (24) first, as npm test and npm start have it
  const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}` }
  const bash = async (script: string): Promise<{ code: number, stdout: string, stderr: string }> => {
    await writeFile(join(work, 'script.sh'), script)
    try {
      const { stdout, stderr } = await run('bash', ['-euo', 'pipefail', 'script.sh'], { cwd: work, env, timeout: 120_000 })
      return { code: 0, stdout, stderr }
    } catch (err: any) {
      return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }
    }
  }

  before(async () => {
    readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    // inside the repository, where npx finds its gxcat; out/ is not tracked
    await mkdir(join(ROOT, 'out'), { recursive: true })
    work = await mkdtemp(join(ROOT, 'out', 'readme-'))
  })

  after(async () => {
    if (node?.pid != null && node.exitCode == null) {
      process.kill(-node.pid, 'SIGTERM')
      await waitFor(() => node?.exitCode != null || node?.signalCode != null, 20_000, 'npm start to stop')
    }
    await rm(work, { recursive: true, force: true })
  })

  it('quick start: npm start runs a node on the embedded defaults', async () => {
    const [first] = codeBlocks(section(readme, 'Quick start'), 'sh')
    const commands = first.split('\n').map(line => line.replace(/\s+#.*$/, '').trim()).filter(line => line !== '')
    // npm install and npm test are what is running this test
    assert.deepEqual(commands, ['npm install', 'npm test', 'npm start'])
    assert.ok(await portIsFree(7420), 'port 7420 is free for npm start: stop the node that listens there')
    node = spawn('npm', ['start'], { cwd: ROOT, env: { ...env, GXCAT_DATA: await tempDir('gxcat-readme-') }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    node.stdout?.on('data', d => { nodeOutput += d })
    node.stderr?.on('data', d => { nodeOutput += d })
    await waitFor(async () => (await fetch(`${NODE_URL}/v1/status`)).ok, 60_000, `npm start to answer on ${NODE_URL} (its output: ${nodeOutput})`)
    const status = await (await fetch(`${NODE_URL}/v1/status`)).json()
    assert.equal(status.entries, 0)
  })

  it('quick start: the 2511 participant and offering are signed, pass the official shapes, are published and found', async () => {
    const [, second] = codeBlocks(section(readme, 'Quick start'), 'sh')
    const result = await bash(second)
    assert.equal(result.code, 0, `the quick start failed: ${result.stderr}`)
    assert.match(result.stdout, /^did:key:z/m, 'keygen prints the DID')
    assert.match(result.stdout, /"published": 2,/)
    assert.match(result.stdout, /"issuerName": "Provider GmbH"/)
    assert.match(result.stdout, /"value":"Object storage"/)

    const list = await (await fetch(`${NODE_URL}/v1/self-descriptions?type=gx:ServiceOffering`)).json()
    assert.deepEqual(list.items.map((i: any) => [i.subject, i.issuerName, i.types]), [['https://provider.example/services/storage', 'Provider GmbH', ['gx:ServiceOffering']]])
    assert.equal(list.items[0].credential['@context'].includes('https://w3id.org/gaia-x/2511#'), true, 'signed in the 2511 vocabulary')
  })

  it('quick start: the mistake it quotes is the error a person gets', async () => {
    const quoted = /`(ShapeViolationError: [^`]+)`/.exec(section(readme, 'Quick start'))?.[1]
    assert.ok(quoted != null)
    const offering = JSON.parse(await readFile(join(work, 'offering.json'), 'utf8'))
    delete offering['gx:serviceOfferingTermsAndConditions']['gx:hash']
    await writeFile(join(work, 'no-hash.json'), JSON.stringify({ ...offering, id: 'https://provider.example/services/no-hash' }))
    const result = await bash('npx gxcat publish --key k.json --vocab 2511 no-hash.json\n')
    assert.equal(result.code, 1)
    assert.ok(result.stderr.includes(quoted), `${result.stderr} says ${quoted}`)
  })

  it('the CLI section\'s development-vocabulary sample signs as it says', async () => {
    const [sample] = codeBlocks(section(readme, 'The CLI'), 'json')
    await writeFile(join(work, 'sd.json'), sample)
    const result = await bash('npx gxcat sign --key k.json sd.json\n')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)
  })
})
