#!/usr/bin/env node
// Entry point of the `gxcat` command. In the repository it runs the TypeScript CLI (Node ≥ 22.18
// strips types natively; the repository pins Node 24 for its own scripts); in the installed
// package, which ships JavaScript (Node does not strip types under node_modules), the build in dist/.
import { existsSync } from 'node:fs'
import module from 'node:module'

const source = new URL('./main.ts', import.meta.url)
const built = new URL('../../dist/node/cli/main.js', import.meta.url)
const fromSource = existsSync(source)
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (fromSource && major === 22 && minor < 18)) {
  console.error(`NodeVersionError: gxcat needs Node.js ${fromSource ? '≥ 22.18 to run from source' : '≥ 22'} (this is ${process.version})${fromSource ? '; run it through npm (npx gxcat), which uses the Node 24 the repository pins' : ''}`)
  process.exit(1)
}
// V8's code cache for gxcat's modules (in os.tmpdir(); NODE_COMPILE_CACHE moves it, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): a start reads its compiled code instead of compiling
// it again. The variable set here passes it on to the worker threads.
const cache = module.enableCompileCache?.()
if (cache?.directory != null) process.env.NODE_COMPILE_CACHE ??= cache.directory
await import(fromSource ? source.href : built.href)
