/**
 * Gossip of the catalogue: one topic for versions and revocations, message id = CID, and a
 * validator that verifies before anything is forwarded.
 */
export * from './errors.ts'
export * from './message.ts'
export * from './validator.ts'
