/**
 * Which stored versions a Gaia-X compliance label covers, and which label counts for each. A
 * label counts while its issuer is one of this node's trusted compliance issuers, it is its
 * entry's active head (not revoked, suspended or superseded) and `now` lies in its validity;
 * of several, the highest level counts (SC < L1 < L2 < L3). Everything here is derived from
 * the stored credentials and the node's configuration, so every node holding the same
 * credentials decides alike, whatever order they arrived in: a label links the versions it
 * names as it arrives, and a version arriving later is matched against the labels waiting.
 *
 * Digests are matched by every rule labels use (compliance-label.ts). SHA-256 over the JWS is
 * the version's CID: looked up directly. The other rules need each version's digest by that
 * rule; they are computed for the stored versions once a trusted label lists a digest that
 * might be of that rule, and for each new version from then on. A node with no such label
 * computes none.
 */
import { cidTextOfDigest, credentialDigest, digestOfCidText, labelRank, LABEL_LEVELS, payloadOfVerifiedJws, readLabel, type CoveredCredential, type DigestAlgorithm, type DigestForm, type VerifiedCredential } from '../../protocols/self-description/index.ts'
import { COMPLIANCE_PREDICATE } from '../constants.ts'
import { InvalidQueryError } from '../errors.ts'
import { complianceGraphId, graphName, type RdfVersion } from '../query/rdf-store.ts'
import { indexPrefix, type VersionStatus } from '../store/records.ts'
import type { ListFilter } from '../query/filters.ts'
import type { CatalogueStore } from '../store/catalogue-store.ts'
import type { AbortOptions, ComponentLogger, Logger } from '@libp2p/interface'

/** What a listed item or entry says of its compliance. */
export interface ComplianceView {
  /** the level as the label writes it (SC, L1, L2, L3; BL ranks with SC) */
  label: string
  /** the compliance issuer's DID */
  issuer: string
  /** the label credential's CID */
  labelCredential: string
  rulesVersion?: string
  /** the label's own validUntil */
  validUntil?: string
}

export interface ComplianceIndexComponents {
  store: CatalogueStore
  logger: ComponentLogger
}

export interface ComplianceIndexInit {
  /** DIDs of the compliance issuers (clearing houses) whose labels count */
  issuers?: Iterable<string>
  /** hears each version whose labels changed (to show the link in SPARQL) */
  onChange?: (cid: string) => void
}

export interface ComplianceIndex {
  readonly issuers: ReadonlySet<string>
  /** reads the stored labels and links what they cover (at a start) */
  load (options?: AbortOptions): Promise<void>
  /** a version became its entry's head: matched against the labels waiting; a label links what it covers */
  added (verified: VerifiedCredential, supersedes?: string): Promise<void>
  /** a stored version's status changed (status list, revocation) */
  statusChanged (cid: string, status: VersionStatus): void
  /** the label that counts for a version now, if any */
  of (cid: string, now?: number): ComplianceView | null
  /** the current heads with a label of at least this rank counting now, by seq */
  compliantHeads (minRank: number, now?: number): Array<{ seq: number, cid: string }>
  /** current heads (those `among` allows, where given) counted by the level of the label that counts */
  counts (now?: number, among?: (seq: number) => boolean): Array<{ value: string, count: number }>
  /** the versions some label covers */
  linked (): string[]
  /** the compliant heads a list filter asks for (`compliant`, `label`), or undefined if it asks for none */
  candidates (filter: Pick<ListFilter, 'compliant' | 'label'>, now?: number): Array<{ seq: number, cid: string }> | undefined
  /**
   * The RDF graph linking a version to the labels that count for it now (`COMPLIANCE_PREDICATE`,
   * in a graph of its own, `complianceGraphId`), or undefined if none does.
   */
  linkGraph (cid: string, now?: number): RdfVersion | undefined
}

interface Label {
  cid: string
  entry: string
  issuer: string
  level: string
  rank: number
  rulesVersion?: string
  validFrom: number
  /** as written, for the view */
  validUntil?: string
  /** validUntil in ms; Infinity: for ever */
  until: number
  active: boolean
  covers: CoveredCredential[]
}

interface Covered {
  entry: string
  labels: Set<string>
}

/** A rule other than SHA-256 over the JWS (the CID): `algorithm:form`. */
type Rule = `${DigestAlgorithm}:${DigestForm}`

const RULES_OF: Record<DigestAlgorithm, Rule[]> = {
  sha256: ['sha256:jcs'],
  sha384: ['sha384:jws', 'sha384:jcs'],
  sha512: ['sha512:jws', 'sha512:jcs']
}

export function createComplianceIndex (components: ComplianceIndexComponents, init: ComplianceIndexInit = {}): ComplianceIndex {
  const log: Logger = components.logger.forComponent('gxcat:compliance')
  const { store } = components
  const issuers = new Set(init.issuers ?? [])
  const labels = new Map<string, Label>()
  const covered = new Map<string, Covered>()
  /** label items waiting for a version, by `algorithm:hex` */
  const waiting = new Map<string, Array<{ label: string, item: number }>>()
  /** each stored version's digest by the rules in use: hex → CIDs */
  const byRule = new Map<Rule, Map<string, string[]>>()
  /** the rules whose digests of the stored versions are being computed */
  const indexing = new Map<Rule, Promise<void>>()

  function link (cid: string, entry: string, label: Label): void {
    let item = covered.get(cid)
    if (item == null) covered.set(cid, item = { entry, labels: new Set() })
    if (item.labels.has(label.cid)) return
    item.labels.add(label.cid)
    init.onChange?.(cid)
  }

  /** Whether a version's credential id matches what the label's item says (where it says anything). */
  function idMatches (cover: CoveredCredential, jws: string): boolean {
    return cover.id == null || payloadOfVerifiedJws(jws).id === cover.id
  }

  /** Links the stored versions among `cids` that the item covers; whether any was. */
  async function linkStored (label: Label, cover: CoveredCredential, cids: Iterable<string>): Promise<boolean> {
    let linked = false
    for (const cid of cids) {
      if (cid === label.cid) continue
      const record = await store.getVersion(cid)
      if (record != null && idMatches(cover, record.jws)) {
        link(cid, record.entry, label)
        linked = true
      }
    }
    return linked
  }

  function remember (rule: Rule, hex: string, cid: string): void {
    const digests = byRule.get(rule)
    if (digests == null) return
    const cids = digests.get(hex)
    if (cids == null) digests.set(hex, [cid])
    else if (!cids.includes(cid)) cids.push(cid)
  }

  /** Every stored version's digest by a rule, computed once; kept up to date as versions arrive. */
  async function indexRule (rule: Rule): Promise<void> {
    if (byRule.has(rule)) return await indexing.get(rule)
    byRule.set(rule, new Map())
    const [algorithm, form] = rule.split(':') as [DigestAlgorithm, DigestForm]
    const work = (async () => {
      const started = performance.now()
      let batch: string[] = []
      let count = 0
      const read = async (): Promise<void> => {
        for (const record of await store.getVersions(batch)) {
          if (record != null) remember(rule, credentialDigest(record.jws, algorithm, form), record.cid)
        }
        count += batch.length
        batch = []
      }
      for await (const { cid } of store.scan(indexPrefix('h'), 0, Number.MAX_SAFE_INTEGER)) {
        batch.push(cid)
        if (batch.length === 1000) await read()
      }
      if (batch.length > 0) await read()
      log('digests by %s of %d stored versions in %d ms', rule, count, Math.round(performance.now() - started))
    })()
    indexing.set(rule, work)
    await work
  }

  async function register (label: Label): Promise<void> {
    labels.set(label.cid, label)
    for (const [item, cover] of label.covers.entries()) {
      for (const digest of cover.digests) {
        const key = `${digest.algorithm}:${digest.hex}`
        const list = waiting.get(key)
        if (list == null) waiting.set(key, [{ label: label.cid, item }])
        else list.push({ label: label.cid, item })
        // the clearing houses' rule (SHA-256 over the JWS) is the CID: a digest found so is no other rule's
        if (digest.algorithm === 'sha256' && await linkStored(label, cover, [cidTextOfDigest(Buffer.from(digest.hex, 'hex'))])) continue
        for (const rule of RULES_OF[digest.algorithm]) {
          await indexRule(rule)
          await linkStored(label, cover, byRule.get(rule)?.get(digest.hex) ?? [])
        }
      }
    }
  }

  function labelOf (verified: Pick<VerifiedCredential, 'cid' | 'entry' | 'issuer' | 'typeIris' | 'validFrom' | 'validUntil' | 'jws'>, active: boolean): Label | undefined {
    if (!issuers.has(verified.issuer)) return undefined
    const read = readLabel(payloadOfVerifiedJws(verified.jws), verified.typeIris)
    if (read == null) return undefined
    return {
      cid: verified.cid,
      entry: verified.entry,
      issuer: verified.issuer,
      level: read.level,
      rank: read.rank,
      rulesVersion: read.rulesVersion,
      validFrom: Date.parse(verified.validFrom),
      validUntil: verified.validUntil,
      until: verified.validUntil == null ? Infinity : Date.parse(verified.validUntil),
      active,
      covers: read.covers
    }
  }

  function counts (label: Label, now: number): boolean {
    return label.active && label.validFrom <= now && label.until >= now
  }

  function viewOf (label: Label): ComplianceView {
    return {
      label: label.level,
      issuer: label.issuer,
      labelCredential: label.cid,
      ...(label.rulesVersion != null ? { rulesVersion: label.rulesVersion } : {}),
      ...(label.validUntil != null ? { validUntil: label.validUntil } : {})
    }
  }

  function best (cid: string, now: number): Label[] {
    const item = covered.get(cid)
    if (item == null) return []
    const counting: Label[] = []
    for (const labelCid of item.labels) {
      const label = labels.get(labelCid)
      if (label != null && counts(label, now)) counting.push(label)
    }
    // the highest level; of equals, the one valid longest (none: for ever), then by CID: every node picks the same
    return counting.sort((a, b) => b.rank - a.rank || (b.until === a.until ? 0 : b.until > a.until ? 1 : -1) || (a.cid < b.cid ? -1 : 1))
  }

  /** The current heads with a label of at least `minRank` counting now, by seq, each with the label that counts. */
  function compliant (minRank: number, now: number): Array<{ seq: number, cid: string, label: Label }> {
    const heads: Array<{ seq: number, cid: string, label: Label }> = []
    for (const [cid, item] of covered) {
      const head = store.getHead(item.entry)
      if (head == null || head.cid !== cid || store.isRevoked(item.entry)) continue
      const [first] = best(cid, now)
      if (first != null && first.rank >= minRank) heads.push({ seq: head.seq, cid, label: first })
    }
    return heads.sort((a, b) => a.seq - b.seq)
  }

  function changedLabel (label: Label): void {
    for (const [cid, item] of covered) if (item.labels.has(label.cid)) init.onChange?.(cid)
  }

  return {
    issuers,

    async load (options = {}) {
      if (issuers.size === 0) return
      const cids: string[] = []
      for await (const { cid } of store.scan(indexPrefix('t', 'gx:LabelCredential'), 0, Number.MAX_SAFE_INTEGER)) cids.push(cid)
      let loaded = 0
      for (const record of await store.getVersions(cids)) {
        options.signal?.throwIfAborted()
        if (record == null) continue
        const label = labelOf(record, record.status === 'active' || record.status === 'expired')
        if (label == null) continue
        await register(label)
        loaded++
      }
      if (loaded > 0) log('%d compliance labels cover %d versions', loaded, covered.size)
    },

    async added (verified, supersedes) {
      if (issuers.size === 0) return
      if (supersedes != null) this.statusChanged(supersedes, 'superseded')
      // the labels' items waiting for this version, by each rule's digest of it (SHA-256 over the JWS is its CID)
      const keys = [`sha256:${Buffer.from(digestOfCidText(verified.cid)).toString('hex')}`]
      for (const rule of byRule.keys()) {
        const [algorithm, form] = rule.split(':') as [DigestAlgorithm, DigestForm]
        const digest = credentialDigest(verified.jws, algorithm, form)
        remember(rule, digest, verified.cid)
        keys.push(`${algorithm}:${digest}`)
      }
      for (const { label: labelCid, item } of keys.flatMap(key => waiting.get(key) ?? [])) {
        const label = labels.get(labelCid)
        const cover = label?.covers[item]
        if (label != null && cover != null && labelCid !== verified.cid && idMatches(cover, verified.jws)) link(verified.cid, verified.entry, label)
      }
      const label = labelOf(verified, true)
      if (label != null) await register(label)
    },

    statusChanged (cid, status) {
      const label = labels.get(cid)
      if (label == null) return
      const active = status === 'active'
      if (label.active === active) return
      label.active = active
      changedLabel(label)
    },

    of (cid, now = Date.now()) {
      const [first] = best(cid, now)
      return first == null ? null : viewOf(first)
    },

    compliantHeads (minRank, now = Date.now()) {
      return compliant(minRank, now).map(({ seq, cid }) => ({ seq, cid }))
    },

    linked () {
      return [...covered.keys()]
    },

    candidates (filter, now = Date.now()) {
      if (filter.label != null && filter.label !== '') {
        const rank = labelRank(filter.label)
        if (rank == null) throw new InvalidQueryError(`label "${filter.label}" is not a Gaia-X label level (${LABEL_LEVELS.join(', ')})`)
        return this.compliantHeads(rank, now)
      }
      return filter.compliant === true ? this.compliantHeads(0, now) : undefined
    },

    linkGraph (cid, now = Date.now()) {
      const counting = best(cid, now)
      if (counting.length === 0) return undefined
      const graph = graphName(complianceGraphId(cid))
      return { cid: complianceGraphId(cid), jws: '', nQuads: counting.map(l => `<${graphName(cid)}> <${COMPLIANCE_PREDICATE}> <${graphName(l.cid)}> <${graph}> .\n`).join('') }
    },

    counts (now = Date.now(), among) {
      const byLevel = new Map<string, number>()
      for (const { seq, label } of compliant(0, now)) {
        if (among == null || among(seq)) byLevel.set(label.level, (byLevel.get(label.level) ?? 0) + 1)
      }
      return [...byLevel].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    }
  }
}
