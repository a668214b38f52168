/**
 * A node's trust policy (docs/gaia-x.md): `open` stores any credential with a valid signature;
 * `anchors` stores one only if its issuer's key chains (x5u) to one of the node's trust-anchor
 * certificates — the chain contains the anchor, or its last certificate is issued by it — or if
 * the issuer DID is listed as trusted. An issuer on a revoked-issuers list is refused in either
 * mode. Policy decides what a node stores and serves, never what
 * it forwards: a valid credential refused here still travels on (see isTrustRefusal).
 */
import { readPemCertificates, type CertificateChain } from './certificate-chain.ts'
import { blameOf } from '../errors.ts'
import { UntrustedChainError, UntrustedIssuerError } from './errors.ts'
import type { X509Certificate } from 'node:crypto'

export type TrustMode = 'open' | 'anchors'

export interface TrustPolicyInit {
  /** @default 'open' */
  mode?: TrustMode
  /** trust-anchor certificates, PEM (a file may hold several) */
  anchors?: string[]
  /** issuer DIDs trusted without a chain */
  issuers?: string[]
  /** issuer DIDs whose credentials are refused whatever the mode (a revoked-issuers list) */
  revoked?: string[]
  /** where the anchors and issuer lists in force came from (imported trust lists), for whoever asks */
  lists?: TrustListRecord[]
}

/** One imported trust list: what it is, where it came from, since when it is in force. */
export interface TrustListRecord {
  kind: 'anchors' | 'compliance-issuers' | 'revoked-issuers'
  source: string
  format: string
  name?: string
  count: number
  importedAt: string
}

export interface TrustPolicy {
  readonly mode: TrustMode
  readonly anchors: readonly X509Certificate[]
  readonly issuers: ReadonlySet<string>
  readonly revoked: ReadonlySet<string>
  readonly lists: readonly TrustListRecord[]
  /** Throws UntrustedChainError or UntrustedIssuerError unless this node's policy admits the issuer. */
  assertTrusted (credential: { issuer: string, chain?: CertificateChain }): void
  /** The anchor the chain ends at, if any. */
  anchorOf (chain: CertificateChain): X509Certificate | undefined
}

/** Whether an error is this node's policy refusing a valid credential (not the sender's fault). */
export function isTrustRefusal (err: unknown): boolean {
  return blameOf(err) === 'policy'
}

export function createTrustPolicy (init: TrustPolicyInit = {}): TrustPolicy {
  const mode = init.mode ?? 'open'
  const anchors = (init.anchors ?? []).flatMap((pem, i) => readPemCertificates(pem, `trust anchor ${i + 1}`, Infinity))
  const issuers = new Set(init.issuers ?? [])
  const revoked = new Set(init.revoked ?? [])
  const fingerprints = new Set(anchors.map(a => a.fingerprint256))

  /**
   * Each chain's anchor, by the chain object: a resolver hands out one object per key until it
   * fetches the chain again, so a chain whose last certificate was issued by an anchor (not one
   * that includes the anchor) costs one signature check per key, not one per credential (60 µs).
   */
  const anchorsOf = new WeakMap<CertificateChain, X509Certificate | null>()

  function anchorOf (chain: CertificateChain): X509Certificate | undefined {
    let anchor = anchorsOf.get(chain)
    if (anchor === undefined) {
      const inChain = chain.certificates.find(cert => fingerprints.has(cert.fingerprint256))
      const last = chain.certificates[chain.certificates.length - 1]
      anchor = (inChain != null
        ? anchors.find(a => a.fingerprint256 === inChain.fingerprint256)
        : anchors.find(a => last.checkIssued(a) && last.verify(a.publicKey))) ?? null
      anchorsOf.set(chain, anchor)
    }
    return anchor ?? undefined
  }

  return {
    mode,
    anchors,
    issuers,
    revoked,
    lists: init.lists ?? [],
    anchorOf,
    assertTrusted ({ issuer, chain }) {
      if (revoked.has(issuer)) throw new UntrustedIssuerError(`${issuer} is on a revoked-issuers list this node imported: its credentials are refused`)
      if (mode === 'open' || issuers.has(issuer)) return
      if (chain == null) throw new UntrustedIssuerError(`${issuer} is not a trusted issuer and its key carries no certificate chain (x5u); this node stores only credentials that chain to its trust anchors`)
      if (anchorOf(chain) == null) {
        const last = chain.certificates[chain.certificates.length - 1]
        throw new UntrustedChainError(`the certificate chain of ${issuer} (${chain.url}) ends at "${last.subject.replace(/\n/g, ', ')}", issued by "${last.issuer.replace(/\n/g, ', ')}", which is none of this node's ${anchors.length} trust anchor(s)`)
      }
    }
  }
}
