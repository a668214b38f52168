/**
 * gxcat/protocols: what crosses the wire or must be byte-identical between nodes, for apps that
 * sign and check Gaia-X self-descriptions and for other implementations of the catalogue. Each
 * group below is public for a reason (docs/design.md describes the formats):
 *
 * - **Credentials** (18 names): keys, signing, verifying a credential, a presentation or a
 *   revocation, the validation report a node gives, the identity of a version and an entry, and
 *   the DID resolver, status checker and trust policy that verification takes.
 * - **Gaia-X** (5): the official shapes, compliance labels and the registry's trust lists.
 * - **Errors** (9): the categories every error extends (its HTTP status, whom it blames), and
 *   `errors`, every named error of the envelope (`errors.ShapeViolationError`…).
 * - **Wire** (17): the gossip topic and messages, DHT records and index terms, sync sessions,
 *   peer lists, with their protocol names.
 * - **Types** (11) of what the functions above take and give.
 *
 * @packageDocumentation
 * @example
 * ```ts
 * import { generateIssuerKey, signCredential, verifyCredential, createDidResolver } from 'gxcat/protocols'
 *
 * const key = generateIssuerKey()
 * const jws = await signCredential({ id: 'https://provider.example/services/demo', type: 'gx:ServiceOffering', 'schema:name': 'Demo' }, key)
 * const verified = await verifyCredential(jws, { resolver: createDidResolver() })
 * console.log(verified.cid, verified.subject, verified.typeIris)
 * ```
 */

// credentials
export {
  generateIssuerKey, parseIssuerKey, didOf,
  buildCredential, signCredential, signRevocation,
  verifyCredential, verifyPresentation, verifyRevocation, readSubmission, validateSubmission,
  versionCidText, entryId, compareVersions,
  createDidResolver, createStatusChecker, createTrustPolicy, isTrustRefusal
} from './self-description/index.ts'

// Gaia-X
export { gaiaxShapes, validateGaiaxShapes, readLabel, credentialDigest, readTrustList } from './self-description/index.ts'

// errors
export {
  CatalogueError, InvalidInputError, UnverifiableInputError, PolicyRefusalError, ConflictError, UnavailableError,
  blameOf, type Blame
} from './errors.ts'
export * as errors from './self-description/errors.ts'

// wire
export { CATALOGUE_TOPIC, DHT_PROTOCOL, SYNC_PROTOCOL, PEER_LIST_PROTOCOL } from './constants.ts'
export { encodeGossipMessage, decodeGossipMessage, gossipMessageId, createCatalogueValidator } from './gossip/index.ts'
export { entryRecordKey, createEntryRecordValidator, selectEntryRecord, indexTermCid } from './dht-records/index.ts'
export { initiateSync, respondSync, createSyncSet } from './sync/index.ts'
export { encodePeerList, decodePeerList } from './peer-list/index.ts'

// types
export type {
  IssuerKey, Credential, VerifiedCredential, VerifiedPresentation, Revocation,
  ValidationReport, ShapeViolation, DidResolver, TrustPolicy, ComplianceLabel, TrustList
} from './self-description/index.ts'
