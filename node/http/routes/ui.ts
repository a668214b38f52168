/**
 * The catalogue in a browser, served by every node at `/`: a single-page app (Preact with htm,
 * no build step) that reads the node's own HTTP API. Its files and the vendored Preact and htm
 * modules are read once at start and served from memory; nothing is fetched from elsewhere at
 * run time, and the Content-Security-Policy allows scripts from this origin only (and the
 * import map, by its hash).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FastifyReply } from 'fastify'
import type { ApiContext } from '../api-context.ts'

const UI_FILES = ['app.js', 'api.js', 'html.js', 'search.js', 'entry.js', 'sparql.js', 'network.js', 'style.css']
/** The front-end modules the app imports by name, and where their ESM builds are. */
const VENDOR = { preact: 'preact', 'preact/hooks': 'preact/hooks', htm: 'htm' } as const

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', mjs: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8' }

interface Asset { type: string, body: Buffer }

/** The page's files, read once per process: every HTTP API of it (a test starts many) serves the same. */
let loaded: { assets: Map<string, Asset>, csp: string } | undefined

function loadAssets (): { assets: Map<string, Asset>, csp: string } {
  loaded ??= readAssets()
  return loaded
}

function readAssets (): { assets: Map<string, Asset>, csp: string } {
  const assets = new Map<string, Asset>()
  for (const name of UI_FILES) {
    assets.set(`/ui/${name}`, { type: TYPES[name.slice(name.lastIndexOf('.') + 1)], body: readFileSync(new URL(`../ui/${name}`, import.meta.url)) })
  }
  const imports: Record<string, string> = {}
  for (const [name, specifier] of Object.entries(VENDOR)) {
    const url = `/ui/vendor/${name.replace('/', '-')}.mjs`
    imports[name] = url
    assets.set(url, { type: TYPES.mjs, body: readFileSync(fileURLToPath(import.meta.resolve(specifier))) })
  }
  const importMap = JSON.stringify({ imports })
  const html = readFileSync(new URL('../ui/index.html', import.meta.url), 'utf8').replace('<!-- import map -->', `<script type="importmap">${importMap}</script>`)
  assets.set('/', { type: TYPES.html, body: Buffer.from(html) })
  const mapHash = createHash('sha256').update(importMap).digest('base64')
  const csp = `default-src 'self'; script-src 'self' 'sha256-${mapHash}'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`
  return { assets, csp }
}

export function registerUiRoutes ({ app }: ApiContext): void {
  const { assets, csp } = loadAssets()
  const serve = async (path: string, reply: FastifyReply): Promise<FastifyReply> => {
    const asset = assets.get(path)
    if (asset == null) return reply.status(404).send({ error: { name: 'NotFoundError', message: `no file ${path}` } })
    return reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', path === '/' ? 'no-cache' : 'public, max-age=300')
      .type(asset.type)
      .send(asset.body)
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) => serve('/', reply))
  app.get('/ui/*', { schema: { hide: true } }, async (request, reply) => serve(request.url.split('?')[0], reply))
}
