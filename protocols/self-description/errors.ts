/**
 * Typed errors of the self-description protocol. Each sets `name` (and `static name`) so that
 * callers compare `err.name === InvalidSignatureError.name`; the HTTP API and CLI print it.
 */

export class InvalidEnvelopeError extends Error {
  static name = 'InvalidEnvelopeError'
  name = 'InvalidEnvelopeError'
}

export class UnsupportedAlgorithmError extends Error {
  static name = 'UnsupportedAlgorithmError'
  name = 'UnsupportedAlgorithmError'
}

export class UnsupportedFormatError extends Error {
  static name = 'UnsupportedFormatError'
  name = 'UnsupportedFormatError'
}

export class InvalidSignatureError extends Error {
  static name = 'InvalidSignatureError'
  name = 'InvalidSignatureError'
}

export class KeyNotFoundError extends Error {
  static name = 'KeyNotFoundError'
  name = 'KeyNotFoundError'
}

export class IssuerMismatchError extends Error {
  static name = 'IssuerMismatchError'
  name = 'IssuerMismatchError'
}

export class CredentialExpiredError extends Error {
  static name = 'CredentialExpiredError'
  name = 'CredentialExpiredError'
}

export class CredentialNotYetValidError extends Error {
  static name = 'CredentialNotYetValidError'
  name = 'CredentialNotYetValidError'
}

export class UnknownContextError extends Error {
  static name = 'UnknownContextError'
  name = 'UnknownContextError'
}

export class InvalidCredentialError extends Error {
  static name = 'InvalidCredentialError'
  name = 'InvalidCredentialError'
}

export class MissingSubjectIdError extends Error {
  static name = 'MissingSubjectIdError'
  name = 'MissingSubjectIdError'
}

export interface ShapeViolation {
  /** the entity (subject id) the violation is about */
  focusNode: string
  /** the full IRI of the property, when the violation is about one */
  path?: string
  message: string
  /** the SHACL constraint component (`sh:MinCountConstraintComponent`), for the official shapes */
  constraint?: string
  /** the value the violation is about, if any */
  value?: string
  /** the shape (IRI) that was violated, if it has one */
  shape?: string
}

export class ShapeViolationError extends Error {
  static name = 'ShapeViolationError'
  name = 'ShapeViolationError'
  readonly violations: ShapeViolation[]

  constructor (violations: ShapeViolation[]) {
    super(violations.map(v => v.path != null ? `${v.focusNode} ${v.path}: ${v.message}` : `${v.focusNode}: ${v.message}`).join('; '))
    this.violations = violations
  }
}

export class PayloadTooLargeError extends Error {
  static name = 'PayloadTooLargeError'
  name = 'PayloadTooLargeError'
}

export class NestingTooDeepError extends Error {
  static name = 'NestingTooDeepError'
  name = 'NestingTooDeepError'
}

export class DidResolutionError extends Error {
  static name = 'DidResolutionError'
  name = 'DidResolutionError'
}

export class RevocationIssuerMismatchError extends Error {
  static name = 'RevocationIssuerMismatchError'
  name = 'RevocationIssuerMismatchError'
}

export class InvalidKeyError extends Error {
  static name = 'InvalidKeyError'
  name = 'InvalidKeyError'
}

export class InvalidPresentationError extends Error {
  static name = 'InvalidPresentationError'
  name = 'InvalidPresentationError'
}

/** A certificate chain (x5u) that cannot be read, is broken, or has a non-CA issuer. */
export class CertificateChainError extends Error {
  static name = 'CertificateChainError'
  name = 'CertificateChainError'
}

export class ExpiredCertificateError extends Error {
  static name = 'ExpiredCertificateError'
  name = 'ExpiredCertificateError'
}

export class CertificateNotYetValidError extends Error {
  static name = 'CertificateNotYetValidError'
  name = 'CertificateNotYetValidError'
}

/** The leaf certificate's public key is not the key (JWK) that the DID document publishes. */
export class KeyMismatchError extends Error {
  static name = 'KeyMismatchError'
  name = 'KeyMismatchError'
}

/** Trust policy `anchors`: the issuer's chain ends at no trust anchor of this node. */
export class UntrustedChainError extends Error {
  static name = 'UntrustedChainError'
  name = 'UntrustedChainError'
}

/** Trust policy `anchors`: the issuer has no certificate chain and is not a trusted issuer. */
export class UntrustedIssuerError extends Error {
  static name = 'UntrustedIssuerError'
  name = 'UntrustedIssuerError'
}

/** A status list (W3C Bitstring Status List) that cannot be used: unreachable, unsigned, signed by another issuer, too large, not a bitstring. */
export class StatusListError extends Error {
  static name = 'StatusListError'
  name = 'StatusListError'
}

/** The credential's issuer revoked it in its status list. */
export class CredentialRevokedError extends Error {
  static name = 'CredentialRevokedError'
  name = 'CredentialRevokedError'
}

/** The credential's issuer suspended it in its status list. */
export class CredentialSuspendedError extends Error {
  static name = 'CredentialSuspendedError'
  name = 'CredentialSuspendedError'
}

/**
 * Refusals that say nothing against the peer that relayed a credential (over gossip or sync): the
 * issuer's own infrastructure failed, or changed (it rotated the key away from its DID document,
 * or renewed its certificate for another key), or the issuer withdrew the credential since it
 * was relayed; or time moved on: a credential (or a certificate of its chain) that was valid when
 * the peer took it has expired since, or the peer's clock is ahead of this node's. A peer that
 * holds a credential offers it in sync for as long as it holds it: blaming it would disconnect
 * honest peers for keeping what they were right to take. (A forger who names a key the DID
 * document lacks is not blamed either: its message is still refused, at the cost of a cached
 * look-up, and the per-peer limits bound how many it sends.)
 */
export const NOT_THE_SENDERS_FAULT: ReadonlySet<string> = new Set([
  'DidResolutionError', 'EntryRevokedError', 'StatusListError', 'CredentialRevokedError', 'CredentialSuspendedError',
  // the issuer publishes versions of one entry faster than nodes take them: newer ones come later, or by sync
  'EntryRateLimitedError',
  'KeyNotFoundError', 'KeyMismatchError',
  'CredentialExpiredError', 'CredentialNotYetValidError', 'ExpiredCertificateError', 'CertificateNotYetValidError'
])

/**
 * An identifier that must be an IRI is not one: a node id (`id`, `@id`) that is not an absolute
 * IRI or a blank node, or a property name or type that cannot become an IRI. A JSON-LD processor
 * drops such a node or triple without a word, so the shapes would judge a graph without it.
 */
export class InvalidIriError extends Error {
  static name = 'InvalidIriError'
  name = 'InvalidIriError'
}

/** A credential holds more than any credential needs (values per property, values in all): refused before the costly steps. */
export class CredentialTooComplexError extends Error {
  static name = 'CredentialTooComplexError'
  name = 'CredentialTooComplexError'
}

/**
 * A JWT whose `vc` (or `vp`) claim carries a VC 2.0 credential (presentation) says something
 * else in its registered claims than the credential does: `iss` another issuer, `sub` another
 * subject, `jti` another id, `nbf`/`exp` other validity dates.
 */
export class JwtClaimMismatchError extends Error {
  static name = 'JwtClaimMismatchError'
  name = 'JwtClaimMismatchError'
}

/** A trust list (the Gaia-X registry's lists, an ETSI TS 119 612 trusted list, a PEM bundle) that cannot be read as the list it is said to be. */
export class InvalidTrustListError extends Error {
  static name = 'InvalidTrustListError'
  name = 'InvalidTrustListError'
}
