/**
 * The self-description envelope: build, sign and verify Gaia-X self-descriptions as W3C VC 2.0
 * credentials secured with VC-JOSE; their identity (CID, entry), order, shapes and revocation.
 */
export * from './errors.ts'
export * from './keys.ts'
export * from './did-resolver.ts'
export * from './certificate-chain.ts'
export * from './trust-policy.ts'
export * from './credential.ts'
export * from './sign.ts'
export * from './verify.ts'
export * from './revocation.ts'
export * from './presentation.ts'
export * from './identity.ts'
export * from './submission.ts'
export { assertJsonDepth } from './json-limits.ts'
export * from './status-list.ts'
export { isInternalAddress, OutboundFetchError } from './outbound-fetch.ts'
export * from './validation-report.ts'
export { gaiaxShapes, validateGaiaxShapes, assertGaiaxShapes, mentionsGaiax, subjectsOf, SHAPE_RELEASES, type GaiaxShapes, type ShapesValidator } from './gaia-x-shapes.ts'
export { decodeJws, payloadOfVerifiedJws, payloadTextOfJws, typOfJws, unsignedError, verifySignature, type DecodedJws } from './jws.ts'
export { BUNDLED_CONTEXTS, readContexts, expandTerm, inlineContexts, inlinedContextText, inlineGraphContexts, gaiaxLocalName, type TermMap } from './vocabulary.ts'
export { triplesOf, nQuadsOf, type RdfTriple, type RdfLiteral } from './jsonld-triples.ts'
