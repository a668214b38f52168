/**
 * `npm run build`, second step: tsc emits JavaScript and declarations into dist/; this copies
 * what the code reads at run time beside it (the bundled JSON-LD contexts, the official SHACL
 * shapes and ontologies, with their SOURCE.md; the web page's files).
 */
import { cpSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const ASSETS = ['protocols/self-description/contexts', 'protocols/self-description/gaia-x-2511', 'protocols/self-description/gaia-x-development', 'node/http/ui']

for (const folder of ASSETS) {
  cpSync(`${root}${folder}`, `${root}dist/${folder}`, { recursive: true })
}
console.log(`copied ${ASSETS.length} asset folders into dist/`)
