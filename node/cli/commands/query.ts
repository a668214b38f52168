/**
 * `gxcat query`: filters (type, issuer, text, property) or SPARQL against a node.
 */
import type { Command } from 'commander'
import { clientOf } from '../client.ts'
import { action, UsageError } from '../errors.ts'
import { collect, readInput } from '../io.ts'

interface QueryOptions {
  node?: string
  type?: string
  issuer?: string
  q?: string
  where: string[]
  sparql?: string
  limit: string
  all?: boolean
  credentials?: boolean
  compliant?: boolean
  label?: string
}

export function registerQuery (program: Command): void {
  program.command('query')
    .description('query a node: filters, or SPARQL (--sparql QUERY, or @FILE); each item says its compliance label level, or null')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .option('--type <type>', 'type, e.g. gx:ServiceOffering (matches 2511 and development); one that names no known type gets a warning on stderr')
    .option('--issuer <did>', 'issuer DID')
    .option('--q <text>', 'full text: every word must occur')
    .option('--where <property=value>', 'property equality, e.g. gx:policy="default: allow" (repeatable)', collect, [])
    .option('--compliant', 'only entries a trusted Gaia-X compliance label covers')
    .option('--label <level>', 'only entries compliant at this label level or higher (SC, L1, L2, L3)')
    .option('--sparql <query>', 'a SPARQL 1.1 query, or @FILE')
    .option('--limit <n>', 'items per page', '100')
    .option('--all', 'follow cursors and print every match')
    .option('--credentials', 'print whole credentials, not only a summary per item')
    .action(action(async (opts: QueryOptions) => {
      const client = clientOf(opts)
      if (opts.sparql != null) {
        const query = opts.sparql.startsWith('@') ? await readInput(opts.sparql.slice(1)) : opts.sparql
        process.stdout.write(await client.sparqlText(query, 'application/sparql-results+json') + '\n')
        return
      }
      const where = opts.where.map(w => {
        const eq = w.indexOf('=')
        if (eq <= 0) throw new UsageError(`--where takes PROPERTY=VALUE, not "${w}"`)
        return [w.slice(0, eq), w.slice(eq + 1)] as [string, string]
      })
      const filter = { type: opts.type, issuer: opts.issuer, q: opts.q, where, limit: Number(opts.limit), compliant: opts.compliant, label: opts.label }
      let cursor: string | undefined
      const items: unknown[] = []
      let warned = false
      do {
        const body = await client.list({ ...filter, cursor })
        if (body.warning != null && !warned) {
          process.stderr.write(`warning: ${body.warning}\n`)
          warned = true
        }
        for (const item of body.items) {
          items.push(opts.credentials === true
            ? item
            : { cid: item.cid, issuer: item.issuer, ...(item.issuerName != null ? { issuerName: item.issuerName } : {}), subject: item.subject, types: item.types, validFrom: item.validFrom, compliance: item.compliance?.label ?? null })
        }
        cursor = body.next ?? undefined
      } while (opts.all === true && cursor != null)
      process.stdout.write(JSON.stringify({ count: items.length, items, ...(opts.all !== true && cursor != null ? { next: cursor } : {}) }, null, 2) + '\n')
    }))
}
