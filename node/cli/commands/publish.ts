/**
 * `gxcat publish`: publishes signed JWS files (one JWS, or one per line; a directory is read
 * whole) through a node, or signs JSON self-descriptions with --key first. A progress bar
 * shows on a terminal; the summary is JSON on stdout; exit 1 if anything was refused.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SingleBar, Presets } from 'cli-progress'
import { Option, type Command } from 'commander'
import type { IssuerKey, Vocabulary } from '../../../protocols/self-description/index.ts'
import { PUBLISH_CONCURRENCY } from '../../constants.ts'
import { clientOf } from '../client.ts'
import { action, UsageError } from '../errors.ts'
import { readInput, readKeyFile } from '../io.ts'

interface Item {
  origin: string
  jws?: string
  json?: Record<string, unknown>
  /** why it is not sent: neither JSON nor a compact JWS, with where the JSON breaks */
  problem?: { name: string, message: string }
}

/** three base64url parts joined by dots */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

const EXTENSIONS = /\.(jwt|jws|jsonl|ndjson|json|txt)$/i

async function filesOf (path: string): Promise<string[]> {
  if (path === '-') return ['-']
  let info
  try {
    info = await stat(path)
  } catch {
    throw new UsageError(`${path} does not exist`)
  }
  if (!info.isDirectory()) return [path]
  const out: string[] = []
  for (const name of (await readdir(path)).sort()) {
    const full = join(path, name)
    if ((await stat(full)).isDirectory()) out.push(...await filesOf(full))
    else if (EXTENSIONS.test(name)) out.push(full)
  }
  return out
}

function itemsOf (file: string, text: string): Item[] {
  const trimmed = text.trim()
  if (trimmed === '') return []
  let whole: Error | undefined
  if (trimmed.startsWith('{') && !file.endsWith('.jsonl') && !file.endsWith('.ndjson')) {
    try {
      return [{ origin: file, json: JSON.parse(trimmed) }]
    } catch (err: any) {
      // JSON lines, perhaps: if not, this is what is wrong with the file
      whole = err
    }
  }
  const lines = trimmed.split('\n').map((line, i) => ({ line: line.trim(), i })).filter(({ line }) => line !== '')
  const items = lines.map(({ line, i }): Item => {
    const origin = `${file}:${i + 1}`
    if (line.startsWith('{')) {
      try {
        return { origin, json: JSON.parse(line) }
      } catch (err: any) {
        return { origin, problem: { name: 'InvalidJsonError', message: `not JSON: ${err.message}` } }
      }
    }
    if (!COMPACT_JWS.test(line)) return { origin, problem: { name: 'InvalidEnvelopeError', message: `neither JSON nor a compact JWS (three base64url parts joined by dots): "${line.slice(0, 40)}${line.length > 40 ? '…' : ''}"` } }
    return { origin, jws: line }
  })
  // a JSON document that does not parse reads as lines that do not parse either: say where it breaks
  if (whole != null && items.every(item => item.problem != null)) return [{ origin: file, problem: { name: 'InvalidJsonError', message: `not JSON: ${whole.message}` } }]
  return items
}

/** signCredential, loaded when a credential is to be signed: the official shapes it runs take a third of a second to load. */
async function signer (): Promise<typeof import('../../../protocols/self-description/sign.ts').signCredential> {
  return (await import('../../../protocols/self-description/sign.ts')).signCredential
}

export function registerPublish (program: Command): void {
  program.command('publish')
    .description('publish self-descriptions through a node: JWS files (one per line), directories, or JSON signed with --key')
    .argument('<files...>', 'files or directories (- for standard input)')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .option('--token <token>', 'write token (default $GXCAT_TOKEN)')
    .option('--key <file>', 'sign JSON self-descriptions with this issuer key first')
    .addOption(new Option('--vocab <release>', 'Gaia-X vocabulary for a bare credentialSubject signed with --key').choices(['development', '2511']).default('development'))
    .option('--concurrency <n>', 'requests in flight', String(PUBLISH_CONCURRENCY))
    .option('--no-progress', 'no progress bar')
    .action(action(async (paths: string[], opts: { node?: string, token?: string, key?: string, vocab: Vocabulary, concurrency: string, progress: boolean }) => {
      const client = clientOf(opts)
      const key: IssuerKey | undefined = opts.key != null ? await readKeyFile(opts.key) : undefined
      const items: Item[] = []
      for (const path of paths) for (const file of await filesOf(path)) items.push(...itemsOf(file, await readInput(file)))
      if (items.length === 0) throw new UsageError('nothing to publish')
      if (key == null && items.some(i => i.json != null)) throw new UsageError(`${items.find(i => i.json != null)?.origin} is unsigned JSON; pass --key to sign it`)

      const concurrency = Math.max(1, Number(opts.concurrency) || PUBLISH_CONCURRENCY)
      const bar = opts.progress && process.stderr.isTTY ? new SingleBar({ format: 'publishing [{bar}] {value}/{total} {percentage}% | {eta_formatted} left | {rate}/s', stream: process.stderr }, Presets.shades_classic) : undefined
      bar?.start(items.length, 0, { rate: 0 })
      const started = performance.now()
      const statuses: Record<string, number> = {}
      const refused: Array<{ origin: string, error: string }> = []
      let next = 0
      let done = 0
      const worker = async (): Promise<void> => {
        while (next < items.length) {
          const item = items[next++]
          try {
            if (item.problem != null) throw Object.assign(new Error(item.problem.message), { name: item.problem.name })
            const jws = item.jws ?? await (await signer())(item.json as Record<string, unknown>, key as IssuerKey, { vocabulary: opts.vocab })
            const body = await client.publish(jws)
            const results: Array<{ status: string, error?: { name: string, message: string } }> = 'credentials' in body ? body.credentials : [body]
            for (const [i, r] of results.entries()) {
              const key = r.error != null ? r.error.name : r.status
              statuses[key] = (statuses[key] ?? 0) + 1
              if (r.error != null) refused.push({ origin: `${item.origin} credential ${i + 1}`, error: `${r.error.name}: ${r.error.message}` })
            }
          } catch (err: any) {
            if (err.name === 'NodeUnreachableError') throw err
            statuses[err.name] = (statuses[err.name] ?? 0) + 1
            refused.push({ origin: item.origin, error: `${err.name}: ${err.message}` })
          }
          done++
          bar?.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) })
        }
      }
      try {
        await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
      } finally {
        bar?.stop()
      }
      const seconds = (performance.now() - started) / 1000
      // what the node stored: new versions (active); duplicates and stale versions it already had or had newer
      const published = statuses.active ?? 0
      const submitted = Object.values(statuses).reduce((a, b) => a + b, 0)
      process.stdout.write(JSON.stringify({ published, submitted, statuses, perSecond: Math.round(submitted / seconds), refused: refused.slice(0, 50) }, null, 2) + '\n')
      if (refused.length > 0) {
        process.stderr.write(`PublishError: ${refused.length} of ${submitted} refused; first: ${refused[0].origin}: ${refused[0].error}\n`)
        process.exit(1)
      }
    }))
}
