/**
 * Names people read beside DIDs: where the catalogue holds an issuer's own gx:LegalPerson (a
 * current one it issued, of either Gaia-X vocabulary, or a gx:LegalParticipant as Tagus named
 * it), its `schema:name` (or `gx:legalName`).
 * The newest such entry is found in the posting lists in memory (type ∩ issuer); its name is read
 * from the stored credential once per version and kept, so a page of twenty items costs at most
 * twenty intersections and a few reads the first time.
 */
import { GX_2511, GX_DEVELOPMENT } from '../../protocols/constants.ts'
import { expandTerm, payloadOfVerifiedJws, readContexts } from '../../protocols/self-description/index.ts'
import { MAX_CACHED_ISSUER_NAMES } from '../constants.ts'
import { indexPrefix } from '../store/records.ts'
import type { CatalogueStore } from '../store/store-api.ts'

/** gx:LegalPerson, and gx:LegalParticipant, its name in the Tagus (22.10) vocabulary that older credentials carry */
const LEGAL_PERSONS = [indexPrefix('t', 'gx:LegalPerson'), indexPrefix('t', 'gx:LegalParticipant')]
const NAME_PROPERTIES = new Set(['https://schema.org/name', 'http://schema.org/name', `${GX_2511}legalName`, `${GX_DEVELOPMENT}legalName`])

/** LegalPersons of one issuer looked at for its own, newest first */
const LOOKED_AT = 16

export interface IssuerNames {
  /** the legal names of those of these issuers whose own gx:LegalPerson the catalogue holds */
  namesOf (issuers: Iterable<string>): Promise<Map<string, string>>
}

interface LegalPerson { name?: string, own: boolean }

export function createIssuerNames (store: CatalogueStore): IssuerNames {
  // by the CID of the LegalPerson version: a version never changes, so neither does what it says
  const read = new Map<string, LegalPerson>()

  const legalPerson = async (cid: string): Promise<LegalPerson> => {
    const known = read.get(cid)
    if (known != null) return known
    const record = await store.getVersion(cid)
    const person = record == null ? { own: false } : { name: legalNameOf(payloadOfVerifiedJws(record.jws)), own: describesIssuer(record.subject, record.issuer) }
    if (read.size >= MAX_CACHED_ISSUER_NAMES) read.delete(read.keys().next().value as string)
    read.set(cid, person)
    return person
  }

  const nameOf = async (issuer: string): Promise<string | undefined> => {
    const heads: Array<{ seq: number, cid: string }> = []
    for (const type of LEGAL_PERSONS) heads.push(...await store.newestHeads([type, indexPrefix('i', issuer)], LOOKED_AT))
    heads.sort((a, b) => b.seq - a.seq)
    // an issuer that published one LegalPerson published its own; of several, the one about itself
    if (heads.length === 1) return (await legalPerson(heads[0].cid)).name
    for (const { cid } of heads) {
      const person = await legalPerson(cid)
      if (person.own) return person.name
    }
    return undefined
  }

  return {
    async namesOf (issuers) {
      const found = new Map<string, string>()
      for (const issuer of new Set(issuers)) {
        const name = await nameOf(issuer)
        if (name != null) found.set(issuer, name)
      }
      return found
    }
  }
}

/** Whether a subject is the issuer itself: its DID, or an IRI on the host of its did:web. */
function describesIssuer (subject: string, issuer: string): boolean {
  if (subject === issuer || subject.startsWith(`${issuer}#`)) return true
  const web = /^did:web:([^:]+)/.exec(issuer)
  if (web == null) return false
  try {
    return new URL(subject).host === decodeURIComponent(web[1])
  } catch {
    return false
  }
}

/** The first name of a credential's subject, in any of the keys that expand to a name property. */
function legalNameOf (credential: Record<string, unknown>): string | undefined {
  const terms = readContexts(credential['@context'])
  for (const subject of [credential.credentialSubject].flat()) {
    if (subject == null || typeof subject !== 'object') continue
    for (const [key, value] of Object.entries(subject)) {
      if (!NAME_PROPERTIES.has(expandTerm(key, terms))) continue
      for (const v of [value].flat()) {
        const text = v != null && typeof v === 'object' ? (v as Record<string, unknown>)['@value'] : v
        if (typeof text === 'string' && text.trim() !== '') return text.trim().slice(0, 200)
      }
    }
  }
  return undefined
}
