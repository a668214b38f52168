/**
 * `gxcat query`: filters (type, issuer, text, property) or SPARQL against a node.
 */
import type { Command } from 'commander'
import { call, nodeUrl } from '../client.ts'
import { action } from '../errors.ts'
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
}

export function registerQuery (program: Command): void {
  program.command('query')
    .description('query a node: filters, or SPARQL (--sparql QUERY, or @FILE)')
    .option('--node <url>', 'node URL (default $GXCAT_NODE or http://127.0.0.1:7420)')
    .option('--type <type>', 'type, e.g. gx:ServiceOffering (matches 2511 and development)')
    .option('--issuer <did>', 'issuer DID')
    .option('--q <text>', 'full text: every word must occur')
    .option('--where <property=value>', 'property equality, e.g. gx:policy="default: allow" (repeatable)', collect, [])
    .option('--sparql <query>', 'a SPARQL 1.1 query, or @FILE')
    .option('--limit <n>', 'items per page', '100')
    .option('--all', 'follow cursors and print every match')
    .option('--credentials', 'print whole credentials, not only a summary per item')
    .action(action(async (opts: QueryOptions) => {
      const client = { node: nodeUrl(opts.node) }
      if (opts.sparql != null) {
        const query = opts.sparql.startsWith('@') ? await readInput(opts.sparql.slice(1)) : opts.sparql
        const { text } = await call(client, 'POST', '/v1/sparql', query, 'application/sparql-query', 'application/sparql-results+json')
        process.stdout.write(text + '\n')
        return
      }
      const params = new URLSearchParams()
      if (opts.type != null) params.set('type', opts.type)
      if (opts.issuer != null) params.set('issuer', opts.issuer)
      if (opts.q != null) params.set('q', opts.q)
      for (const w of opts.where) params.append('where', w)
      params.set('limit', opts.limit)
      let cursor: string | undefined
      const items: unknown[] = []
      do {
        if (cursor != null) params.set('cursor', cursor)
        const { body } = await call(client, 'GET', `/v1/self-descriptions?${params.toString()}`)
        for (const item of body.items) items.push(opts.credentials === true ? item : { cid: item.cid, issuer: item.issuer, subject: item.subject, types: item.types, validFrom: item.validFrom })
        cursor = body.next ?? undefined
      } while (opts.all === true && cursor != null)
      process.stdout.write(JSON.stringify({ count: items.length, items, ...(opts.all !== true && cursor != null ? { next: cursor } : {}) }, null, 2) + '\n')
    }))
}
