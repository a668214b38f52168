#!/usr/bin/env node
// Entry point of the `gxcat` command: checks the Node.js version, then runs the TypeScript CLI
// (Node ≥ 22.18 strips types natively; the repository pins Node 24 for its own scripts).
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`NodeVersionError: gxcat needs Node.js ≥ 22.18 (this is ${process.version}); run it through npm (npx gxcat), which uses the Node 24 the repository pins`)
  process.exit(1)
}
await import('./main.ts')
