/**
 * A seeded generator of realistic synthetic Gaia-X self-descriptions: participants (legal
 * persons), the service offerings they provide and the data resources exposed through those
 * services, referencing each other, each signed by its participant's own did:key. The same
 * seed gives the same keys, credentials and so the same CIDs. Tests, benchmarks and
 * simulations all draw from it.
 */
import { createHash, createPrivateKey } from 'node:crypto'
import { didKeyFromJwk, type IssuerKey } from '../protocols/self-description/keys.ts'
import { signCredential } from '../protocols/self-description/sign.ts'
import type { Vocabulary } from '../protocols/self-description/credential.ts'

/** mulberry32: a tiny, well-known 32-bit PRNG, enough for reproducible workloads. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** A deterministic Ed25519 issuer key drawn from the generator. */
export function seededIssuerKey (random: () => number): IssuerKey {
  const seed = Buffer.alloc(32)
  for (let i = 0; i < 32; i++) seed[i] = Math.floor(random() * 256)
  const jwk = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' })
  return { ...jwk, kid: didKeyFromJwk(jwk).kid } as IssuerKey
}

const COUNTRIES = [['DE', 'DE-BE'], ['FR', 'FR-IDF'], ['BE', 'BE-BRU'], ['NL', 'NL-NH'], ['IT', 'IT-RM'], ['ES', 'ES-MD'], ['AT', 'AT-9'], ['FI', 'FI-18']]
const SECTORS = ['mobility', 'energy', 'health', 'agriculture', 'manufacturing', 'finance', 'climate', 'logistics']
const NOUNS = ['sensor data', 'telemetry', 'weather forecasts', 'traffic counts', 'meter readings', 'satellite imagery', 'supply chain events', 'air quality']
const FORMATS = ['application/json', 'text/csv', 'application/parquet', 'application/ld+json']
const LICENSES = ['https://creativecommons.org/licenses/by/4.0/', 'https://opendatacommons.org/licenses/odbl/1-0/', 'https://www.apache.org/licenses/LICENSE-2.0']

export type SyntheticKind = 'participant' | 'service' | 'resource'

export interface SyntheticSelfDescription {
  kind: SyntheticKind
  issuer: string
  subject: Record<string, unknown>
  validFrom: string
  key: IssuerKey
}

export interface GeneratorOptions {
  seed?: number
  /** how many self-descriptions in all. @default 100 */
  count?: number
  /** services per participant. @default 4 */
  servicesPerParticipant?: number
  /** data resources per service. @default 2 */
  resourcesPerService?: number
  /** validFrom of the first one; the rest follow a second apart. @default 2026-01-01T00:00:00Z */
  start?: string
}

/** Unsigned self-descriptions in a stable order: a participant, then its services and their resources. */
export function * syntheticSelfDescriptions (options: GeneratorOptions = {}): Generator<SyntheticSelfDescription> {
  const random = seededRandom(options.seed ?? 1)
  const count = options.count ?? 100
  const perParticipant = options.servicesPerParticipant ?? 4
  const perService = options.resourcesPerService ?? 2
  const start = Date.parse(options.start ?? '2026-01-01T00:00:00Z')
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]
  let produced = 0
  const validFrom = (): string => new Date(start + produced * 1000).toISOString()
  for (let p = 0; produced < count; p++) {
    const key = seededIssuerKey(random)
    const did = key.kid.split('#')[0]
    const [country, subdivision] = pick(COUNTRIES)
    const sector = pick(SECTORS)
    const org = `${sector[0].toUpperCase()}${sector.slice(1)} Data ${p} GmbH`
    const participantId = `${did}#participant`
    yield {
      kind: 'participant',
      issuer: did,
      key,
      validFrom: validFrom(),
      subject: {
        id: participantId,
        type: 'gx:LegalParticipant',
        'gx:legalName': org,
        'gx:legalRegistrationNumber': { id: `${did}#lrn`, 'gx:vatID': `${country}${String(100000000 + Math.floor(random() * 899999999))}` },
        'gx:legalAddress': { 'gx:countrySubdivisionCode': subdivision },
        'gx:headquarterAddress': { 'gx:countrySubdivisionCode': subdivision },
        'gx:description': `${org}, a ${sector} data provider in ${country}`
      }
    }
    if (++produced >= count) return
    for (let s = 0; s < perParticipant && produced < count; s++) {
      const noun = pick(NOUNS)
      const serviceId = `https://${sector}${p}.example/services/${s}`
      yield {
        kind: 'service',
        issuer: did,
        key,
        validFrom: validFrom(),
        subject: {
          id: serviceId,
          type: 'gx:ServiceOffering',
          'schema:name': `${noun} API ${p}.${s}`,
          'schema:description': `${sector} ${noun} for region ${subdivision}, updated ${pick(['hourly', 'daily', 'in real time'])}, as ${pick(FORMATS)}, ${pick(['default: allow', 'allow: EU participants', 'allow: research only'])}`,
          'gx:keyword': [sector, ...noun.split(' '), country.toLowerCase()],
          'gx:providedBy': { id: participantId },
          // the 25.11 development shapes: terms and conditions with a URL (an IRI) and a hash
          'gx:serviceOfferingTermsAndConditions': {
            type: 'gx:TermsAndConditions',
            'gx:url': { id: `https://${sector}${p}.example/terms` },
            'gx:hash': Math.floor(random() * 2 ** 52).toString(16).padStart(16, '0')
          }
        }
      }
      if (++produced >= count) return
      for (let r = 0; r < perService && produced < count; r++) {
        yield {
          kind: 'resource',
          issuer: did,
          key,
          validFrom: validFrom(),
          subject: {
            id: `https://${sector}${p}.example/data/${s}/${r}`,
            type: 'gx:DataResource',
            'gx:name': `${noun} dataset ${p}.${s}.${r}`,
            'gx:description': `${noun} from ${subdivision}, ${2020 + Math.floor(random() * 6)} onwards`,
            'gx:keyword': [sector, noun.split(' ')[0]],
            'gx:producedBy': { id: participantId },
            'gx:exposedThrough': { id: serviceId },
            'gx:license': pick(LICENSES),
            'gx:containsPII': random() < 0.1
          }
        }
        if (++produced >= count) return
      }
    }
  }
}

export interface SignedSyntheticSelfDescription extends SyntheticSelfDescription {
  jws: string
}

/** The same self-descriptions, signed as VC-JWTs. */
export async function * signedSyntheticSelfDescriptions (options: GeneratorOptions & { vocabulary?: Vocabulary } = {}): AsyncGenerator<SignedSyntheticSelfDescription> {
  for (const sd of syntheticSelfDescriptions(options)) {
    const hex = createHash('sha256').update(`${sd.issuer}\n${String(sd.subject.id)}\n${sd.validFrom}`).digest('hex')
    const id = `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
    const jws = await signCredential({ '@context': undefined, id, credentialSubject: sd.subject }, sd.key, { validFrom: sd.validFrom, vocabulary: options.vocabulary })
    yield { ...sd, jws }
  }
}

/** Convenience: the first `count` signed JWS of a seed. */
export async function generateJws (count: number, options: GeneratorOptions = {}): Promise<string[]> {
  const out: string[] = []
  for await (const sd of signedSyntheticSelfDescriptions({ ...options, count })) out.push(sd.jws)
  return out
}
