/**
 * Typed errors of the self-description protocol. Each sets `name` (and `static name`) so that
 * callers compare `err.name === InvalidSignatureError.name`; the HTTP API and CLI print it. Each
 * extends a category of ../errors.ts, which gives its HTTP status and whom it blames.
 */
import { ConflictError, InvalidInputError, PolicyRefusalError, TooLargeError, UnverifiableInputError, type Blame } from '../errors.ts'

export class InvalidEnvelopeError extends InvalidInputError {
  static name = 'InvalidEnvelopeError'
  name = 'InvalidEnvelopeError'
}

export class UnsupportedAlgorithmError extends InvalidInputError {
  static name = 'UnsupportedAlgorithmError'
  name = 'UnsupportedAlgorithmError'
}

export class UnsupportedFormatError extends InvalidInputError {
  static name = 'UnsupportedFormatError'
  name = 'UnsupportedFormatError'
}

export class InvalidSignatureError extends UnverifiableInputError {
  // over gossip a signature that fails is the sender's fault; a peer that synced it earlier may have checked it with a key since rotated away
  override readonly blame: Blame = 'sender'
  override readonly heldInGoodFaith = true
  static name = 'InvalidSignatureError'
  name = 'InvalidSignatureError'
}

export class KeyNotFoundError extends UnverifiableInputError {
  static name = 'KeyNotFoundError'
  name = 'KeyNotFoundError'
}

export class IssuerMismatchError extends InvalidInputError {
  static name = 'IssuerMismatchError'
  name = 'IssuerMismatchError'
}

export class CredentialExpiredError extends UnverifiableInputError {
  override readonly heldInGoodFaith = true
  static name = 'CredentialExpiredError'
  name = 'CredentialExpiredError'
}

export class CredentialNotYetValidError extends UnverifiableInputError {
  static name = 'CredentialNotYetValidError'
  name = 'CredentialNotYetValidError'
}

export class UnknownContextError extends InvalidInputError {
  static name = 'UnknownContextError'
  name = 'UnknownContextError'
}

export class InvalidCredentialError extends InvalidInputError {
  static name = 'InvalidCredentialError'
  name = 'InvalidCredentialError'
}

export class MissingSubjectIdError extends InvalidInputError {
  static name = 'MissingSubjectIdError'
  name = 'MissingSubjectIdError'
}

export interface ShapeViolation {
  /** the entity (subject id) the violation is about */
  focusNode: string
  /** where it is in the submitted JSON (`credentialSubject.gx:serviceOfferingTermsAndConditions.gx:url`), where that can be told */
  at?: string
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

const SHORT_IRIS: ReadonlyArray<[RegExp, string]> = [[/<http:\/\/www\.w3\.org\/2001\/XMLSchema#([^>]*)>/g, 'xsd:$1'], [/<http:\/\/www\.w3\.org\/ns\/shacl#([^>]*)>/g, 'sh:$1']]

/** One violation as a person reads it: where in their JSON, what was expected, and the value found. */
function describeViolation (v: ShapeViolation): string {
  const where = v.at ?? (v.path != null ? `${v.focusNode} ${v.path}` : v.focusNode)
  let message = v.message
  for (const [iri, short] of SHORT_IRIS) message = message.replace(iri, short)
  // SHACL's default words for sh:minCount / sh:maxCount say what was found, not what is needed
  message = message.replace(/^Less than (\d+) values?$/, (_, n: string) => `needs at least ${n} value${n === '1' ? '' : 's'}`)
    .replace(/^More than (\d+) values?$/, (_, n: string) => `takes at most ${n} value${n === '1' ? '' : 's'}`)
  return v.value != null && !message.includes(v.value) ? `${where}: ${message} (value: ${v.value})` : `${where}: ${message}`
}

export class ShapeViolationError extends InvalidInputError {
  static name = 'ShapeViolationError'
  name = 'ShapeViolationError'
  readonly violations: ShapeViolation[]

  constructor (violations: ShapeViolation[]) {
    super(violations.map(describeViolation).join('; '))
    this.violations = violations
  }
}

export class PayloadTooLargeError extends TooLargeError {
  static name = 'PayloadTooLargeError'
  name = 'PayloadTooLargeError'
}

export class NestingTooDeepError extends InvalidInputError {
  static name = 'NestingTooDeepError'
  name = 'NestingTooDeepError'
}

export class DidResolutionError extends UnverifiableInputError {
  static name = 'DidResolutionError'
  name = 'DidResolutionError'
}

export class RevocationIssuerMismatchError extends InvalidInputError {
  static name = 'RevocationIssuerMismatchError'
  name = 'RevocationIssuerMismatchError'
}

export class InvalidKeyError extends InvalidInputError {
  static name = 'InvalidKeyError'
  name = 'InvalidKeyError'
}

export class InvalidPresentationError extends InvalidInputError {
  static name = 'InvalidPresentationError'
  name = 'InvalidPresentationError'
}

/** A certificate chain (x5u) that cannot be read, is broken, or has a non-CA issuer. */
export class CertificateChainError extends InvalidInputError {
  static name = 'CertificateChainError'
  name = 'CertificateChainError'
}

export class ExpiredCertificateError extends UnverifiableInputError {
  static name = 'ExpiredCertificateError'
  name = 'ExpiredCertificateError'
}

export class CertificateNotYetValidError extends UnverifiableInputError {
  static name = 'CertificateNotYetValidError'
  name = 'CertificateNotYetValidError'
}

/** The leaf certificate's public key is not the key (JWK) that the DID document publishes. */
export class KeyMismatchError extends UnverifiableInputError {
  static name = 'KeyMismatchError'
  name = 'KeyMismatchError'
}

/** Trust policy `anchors`: the issuer's chain ends at no trust anchor of this node. */
export class UntrustedChainError extends PolicyRefusalError {
  static name = 'UntrustedChainError'
  name = 'UntrustedChainError'
}

/** Trust policy `anchors`: the issuer has no certificate chain and is not a trusted issuer. */
export class UntrustedIssuerError extends PolicyRefusalError {
  static name = 'UntrustedIssuerError'
  name = 'UntrustedIssuerError'
}

/** A status list (W3C Bitstring Status List) that cannot be used: unreachable, unsigned, signed by another issuer, too large, not a bitstring. */
export class StatusListError extends UnverifiableInputError {
  static name = 'StatusListError'
  name = 'StatusListError'
}

/** The credential's issuer revoked it in its status list. */
export class CredentialRevokedError extends ConflictError {
  static name = 'CredentialRevokedError'
  name = 'CredentialRevokedError'
}

/** The credential's issuer suspended it in its status list. */
export class CredentialSuspendedError extends ConflictError {
  static name = 'CredentialSuspendedError'
  name = 'CredentialSuspendedError'
}

/**
 * An identifier that must be an IRI is not one: a node id (`id`, `@id`) that is not an absolute
 * IRI or a blank node, or a property name or type that cannot become an IRI. A JSON-LD processor
 * drops such a node or triple without a word, so the shapes would judge a graph without it.
 */
export class InvalidIriError extends InvalidInputError {
  static name = 'InvalidIriError'
  name = 'InvalidIriError'
}

/** A credential holds more than any credential needs (values per property, values in all): refused before the costly steps. */
export class CredentialTooComplexError extends InvalidInputError {
  static name = 'CredentialTooComplexError'
  name = 'CredentialTooComplexError'
}

/**
 * A JWT whose `vc` (or `vp`) claim carries a VC 2.0 credential (presentation) says something
 * else in its registered claims than the credential does: `iss` another issuer, `sub` another
 * subject, `jti` another id, `nbf`/`exp` other validity dates.
 */
export class JwtClaimMismatchError extends InvalidInputError {
  static name = 'JwtClaimMismatchError'
  name = 'JwtClaimMismatchError'
}

/** A trust list (the Gaia-X registry's lists, an ETSI TS 119 612 trusted list, a PEM bundle) that cannot be read as the list it is said to be. */
export class InvalidTrustListError extends InvalidInputError {
  static name = 'InvalidTrustListError'
  name = 'InvalidTrustListError'
}
