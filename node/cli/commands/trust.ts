/**
 * `gxcat trust`: the trust lists a node takes in from files (the Gaia-X registry's lists, EU
 * trusted lists, PEM bundles) and what is in force. A running node reads them at its next start.
 */
import { Option, type Command } from 'commander'
import { DEFAULT_DATA_DIR } from '../../constants.ts'
import { action } from '../errors.ts'

interface TrustOptions {
  data: string
  kind?: 'anchors' | 'compliance-issuers' | 'revoked-issuers'
}

export function registerTrust (program: Command): void {
  const trust = program.command('trust').description('trust lists: import the Gaia-X registry\'s lists from files, see what is in force')
  trust.command('import')
    .description('import trust lists: an ETSI TS 119 612 trusted list (XML) or PEM certificates (trust anchors), or a JSON list of DIDs (--kind compliance-issuers or revoked-issuers, as the Gaia-X registry\'s /api/complianceIssuers answers); a file imported again replaces its list; a running node takes them at its next start')
    .argument('<file...>', 'list files')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .addOption(new Option('--kind <kind>', 'what a list of DIDs is').choices(['anchors', 'compliance-issuers', 'revoked-issuers']))
    .action(action(async (files: string[], opts: TrustOptions) => {
      const { importTrustList } = await import('../../trust-lists.ts')
      const { runningNodePid } = await import('../../pid-file.ts')
      const { loadConfig } = await import('../../config.ts')
      // the lists belong to a node's data directory: one that gxcat init has not made is named as such
      await loadConfig(opts.data)
      for (const file of files) {
        const list = await importTrustList(opts.data, file, opts.kind)
        process.stdout.write(`${file}: ${list.count} ${list.kind}${list.name != null ? ` (${list.name})` : ''}, ${list.format}\n`)
      }
      if (await runningNodePid(opts.data) != null) process.stdout.write('the node running on this data directory takes them at its next start\n')
    }))
  trust.command('list')
    .description('the trust lists in force, each with its source and since when')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(action(async (opts: TrustOptions) => {
      const { complianceIssuersInForce, loadTrustLists, trustListsInForce } = await import('../../trust-lists.ts')
      const { loadConfig } = await import('../../config.ts')
      const config = await loadConfig(opts.data)
      const inForce = trustListsInForce(await loadTrustLists(opts.data))
      process.stdout.write(JSON.stringify({
        trust: config.trust,
        anchors: { configured: config.trustAnchors, imported: inForce.anchors.length },
        trustedIssuers: config.trustedIssuers,
        complianceIssuers: complianceIssuersInForce(config.complianceIssuers, inForce),
        revokedIssuers: inForce.revokedIssuers,
        lists: inForce.lists
      }, null, 2) + '\n')
    }))
}
