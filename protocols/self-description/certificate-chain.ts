/**
 * X.509 certificate chains named by a did:web key's `x5u` (as Gaia-X Loire requires): parsed and
 * checked with node:crypto's X509Certificate, which covers what is needed here (signatures up
 * the chain, validity dates, CA basic constraints, the leaf's public key). Trust (which roots a
 * node accepts) is not decided here but by the node's trust policy (trust-policy.ts).
 */
import { X509Certificate } from 'node:crypto'
import { CERTIFICATE_CHAIN_MAX_LENGTH } from '../constants.ts'
import {
  CertificateChainError, CertificateNotYetValidError, ExpiredCertificateError, KeyMismatchError
} from './errors.ts'
import type { JWK } from 'jose'

export interface CertificateChain {
  /** the URL the chain was fetched from */
  url: string
  /** leaf first, each certificate issued by the next */
  certificates: X509Certificate[]
}

/** What `gxcat verify` prints of a chain: one line per certificate, leaf first. */
export interface CertificateSummary {
  subject: string
  issuer: string
  validFrom: string
  validTo: string
  ca: boolean
  fingerprint256: string
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** The certificates of a PEM text (at most `max`); throws CertificateChainError naming `source`. */
export function readPemCertificates (pem: string, source: string, max = CERTIFICATE_CHAIN_MAX_LENGTH): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? []
  if (blocks.length === 0) throw new CertificateChainError(`${source} holds no PEM certificate`)
  if (blocks.length > max) throw new CertificateChainError(`${source} holds ${blocks.length} certificates, more than ${max}`)
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block)
    } catch (err: any) {
      throw new CertificateChainError(`certificate ${i + 1} of ${source} cannot be parsed: ${err.message}`)
    }
  })
}

/** The certificates of a PEM chain, leaf first, checked for structure and signatures (not dates: those are checked at each use). */
export function parseCertificateChain (pem: string, url: string): CertificateChain {
  const certificates = readPemCertificates(pem, url)
  for (let i = 0; i + 1 < certificates.length; i++) {
    const child = certificates[i]
    const parent = certificates[i + 1]
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new CertificateChainError(`the chain at ${url} is broken: "${child.subject.replace(/\n/g, ', ')}" is not signed by the next certificate "${parent.subject.replace(/\n/g, ', ')}"`)
    }
    if (!parent.ca) throw new CertificateChainError(`"${parent.subject.replace(/\n/g, ', ')}" in the chain at ${url} issues a certificate but is not a CA (basic constraints)`)
  }
  return { url, certificates }
}

/** Throws unless every certificate of the chain is valid at `now`. */
export function assertChainDates (chain: CertificateChain, now: number = Date.now()): void {
  for (const cert of chain.certificates) {
    if (cert.validToDate.getTime() < now) throw new ExpiredCertificateError(`the certificate "${oneLine(cert.subject)}" in ${chain.url} expired at ${cert.validToDate.toISOString()}`)
    if (cert.validFromDate.getTime() > now) throw new CertificateNotYetValidError(`the certificate "${oneLine(cert.subject)}" in ${chain.url} is valid from ${cert.validFromDate.toISOString()}`)
  }
}

/** Throws KeyMismatchError unless the chain's leaf certifies exactly this public key. */
export function assertLeafKey (chain: CertificateChain, jwk: JWK, kid: string): void {
  const leaf = chain.certificates[0].publicKey.export({ format: 'jwk' }) as JWK
  const fields = leaf.kty === 'RSA' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y']
  const differs = fields.filter(f => (leaf as any)[f] !== (jwk as any)[f])
  if (differs.length > 0) throw new KeyMismatchError(`the leaf certificate of ${chain.url} certifies another key than ${kid} (${differs.join(', ')} differ)`)
}

export function summarizeChain (chain: CertificateChain): CertificateSummary[] {
  return chain.certificates.map(cert => ({
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validFrom: cert.validFromDate.toISOString(),
    validTo: cert.validToDate.toISOString(),
    ca: cert.ca,
    fingerprint256: cert.fingerprint256
  }))
}

function oneLine (name: string): string {
  return name.replace(/\n/g, ', ')
}
