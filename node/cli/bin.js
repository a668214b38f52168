#!/usr/bin/env node
// Entry point of the `gxcat` command. In the repository it runs the TypeScript CLI (Node ≥ 22.18
// strips types natively; the repository pins Node 24 for its own scripts); in the installed
// package, which ships JavaScript (Node does not strip types under node_modules), the build in dist/.
import { existsSync } from 'node:fs'

const source = new URL('./main.ts', import.meta.url)
const built = new URL('../../dist/node/cli/main.js', import.meta.url)
const fromSource = existsSync(source)
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (fromSource && major === 22 && minor < 18)) {
  console.error(`NodeVersionError: gxcat needs Node.js ${fromSource ? '≥ 22.18 to run from source' : '≥ 22'} (this is ${process.version})${fromSource ? '; run it through npm (npx gxcat), which uses the Node 24 the repository pins' : ''}`)
  process.exit(1)
}
await import(fromSource ? source.href : built.href)
