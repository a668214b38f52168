/**
 * The lists a Gaia-X participant trusts, as their publishers write them, read from files (a node
 * never fetches them at run time):
 *
 * - trust anchors: the Gaia-X registry takes them from the EU trusted lists, ETSI TS 119 612
 *   XML (its `EiDASTrustedListParser`): each CA service's X.509 certificate whose current status
 *   is in force; or a PEM bundle of certificates;
 * - compliance issuers: the registry's `GET /api/complianceIssuers`, a JSON array of the DIDs
 *   allowed to issue Gaia-X compliance credentials (`["did:web:compliance.gaia-x.eu"]`);
 * - revoked issuers: a JSON array of DIDs whose credentials are refused. (No registry publishes
 *   such a list in a format of its own; the same array form is read.)
 */
import { X509Certificate } from 'node:crypto'
import { XMLParser } from 'fast-xml-parser'
import { readPemCertificates } from './certificate-chain.ts'
import { InvalidTrustListError } from './errors.ts'

export type TrustListKind = 'anchors' | 'compliance-issuers' | 'revoked-issuers'

export interface TrustList {
  kind: TrustListKind
  format: 'etsi-ts-119-612' | 'pem' | 'did-list'
  /** the list's own name, where it has one (a trusted list's SchemeName) */
  name?: string
  /** PEM certificates (anchors) or DIDs */
  entries: string[]
  /** services a trusted list names but whose status is not in force, or that are not CAs */
  skipped?: number
}

/** Service statuses (ETSI TS 119 612, TLv5 and the earlier ones) under which a CA's certificate is trusted. */
const IN_FORCE = ['granted', 'recognisedatnationallevel', 'undersupervision', 'accredited', 'supervisionincessation', 'setbynationallaw']
const MAX_LIST_BYTES = 32 * 1024 * 1024

/** Reads a trust list's text; `kind` says what a list of DIDs is (it cannot tell by itself). */
export function readTrustList (text: string, options: { kind?: TrustListKind, source: string }): TrustList {
  const { source } = options
  if (text.length > MAX_LIST_BYTES) throw new InvalidTrustListError(`${source} is larger than ${MAX_LIST_BYTES} bytes`)
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  if (trimmed.startsWith('<')) return expectKind(readTrustedList(trimmed, source), options)
  if (trimmed.includes('-----BEGIN CERTIFICATE-----')) return expectKind(readPemBundle(trimmed, source), options)
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    throw new InvalidTrustListError(`${source} is neither an ETSI TS 119 612 trusted list (XML), PEM certificates nor a JSON list of DIDs`)
  }
  const dids = Array.isArray(value) ? value : undefined
  if (dids == null || !dids.every(d => typeof d === 'string')) throw new InvalidTrustListError(`${source} is JSON but not a list of DIDs (as the Gaia-X registry's /api/complianceIssuers answers: ["did:web:…"])`)
  const bad = dids.find(d => !/^did:[a-z0-9]+:\S+$/.test(d))
  if (bad != null) throw new InvalidTrustListError(`${source} lists "${String(bad).slice(0, 80)}", which is not a DID`)
  if (options.kind == null || options.kind === 'anchors') {
    throw new InvalidTrustListError(`${source} is a list of DIDs: say which list it is (--kind compliance-issuers or --kind revoked-issuers)`)
  }
  return { kind: options.kind, format: 'did-list', entries: [...new Set(dids as string[])] }
}

function expectKind (list: TrustList, options: { kind?: TrustListKind, source: string }): TrustList {
  if (options.kind != null && options.kind !== list.kind) throw new InvalidTrustListError(`${options.source} holds certificates (trust anchors), not ${options.kind}`)
  return list
}

function readPemBundle (text: string, source: string): TrustList {
  let certificates: X509Certificate[]
  try {
    certificates = readPemCertificates(text, source, Infinity)
  } catch (err: any) {
    throw new InvalidTrustListError(err.message)
  }
  return { kind: 'anchors', format: 'pem', entries: [...new Set(certificates.map(certificate => certificate.toString()))] }
}

const asArray = <T>(value: T | T[] | undefined): T[] => value == null ? [] : Array.isArray(value) ? value : [value]
const textOf = (value: unknown): string => typeof value === 'object' && value != null ? String((value as Record<string, unknown>)['#text'] ?? '') : String(value ?? '')

function readTrustedList (text: string, source: string): TrustList {
  // a trusted list declares no entities: refusing any DOCTYPE keeps entity expansion (and its bombs) out
  if (/<!DOCTYPE/i.test(text)) throw new InvalidTrustListError(`${source} declares a DOCTYPE, which no ETSI TS 119 612 trusted list has`)
  let document: any
  try {
    document = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, processEntities: false, parseTagValue: false }).parse(text, true)
  } catch (err: any) {
    throw new InvalidTrustListError(`${source} is not well-formed XML: ${String(err.message).split('\n')[0]}`)
  }
  const list = document?.TrustServiceStatusList
  if (list == null) throw new InvalidTrustListError(`${source} is XML but not an ETSI TS 119 612 trusted list (no TrustServiceStatusList)`)
  const scheme = list.SchemeInformation ?? {}
  const name = textOf(asArray(scheme.SchemeName?.Name)[0]) || undefined
  if (list.TrustServiceProviderList == null) {
    const type = textOf(scheme.TSLType)
    throw new InvalidTrustListError(`${source} lists no trust service providers${type.endsWith('listofthelists') ? ': it is a list of trusted lists, which only points at the trusted lists to import' : ''}`)
  }
  const entries = new Set<string>()
  let skipped = 0
  for (const provider of asArray(list.TrustServiceProviderList.TrustServiceProvider)) {
    for (const service of asArray<any>(provider?.TSPServices?.TSPService)) {
      const information = service?.ServiceInformation ?? {}
      const type = textOf(information.ServiceTypeIdentifier)
      const status = textOf(information.ServiceStatus)
      if (!/\/Svctype\/CA\//.test(type) || !IN_FORCE.some(s => status.endsWith(`/${s}`))) {
        skipped++
        continue
      }
      for (const id of asArray<any>(information.ServiceDigitalIdentity?.DigitalId)) {
        const base64 = textOf(id?.X509Certificate).replace(/\s+/g, '')
        if (base64 === '') continue
        try {
          entries.add(new X509Certificate(Buffer.from(base64, 'base64')).toString())
        } catch (err: any) {
          throw new InvalidTrustListError(`a certificate of "${textOf(asArray(information.ServiceName?.Name)[0])}" in ${source} cannot be parsed: ${err.message}`)
        }
      }
    }
  }
  return { kind: 'anchors', format: 'etsi-ts-119-612', ...(name != null ? { name } : {}), entries: [...entries], skipped }
}
