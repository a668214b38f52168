/**
 * Gossip of the catalogue: one topic for versions and revocations, message id = CID, and a
 * validator that verifies before anything is forwarded.
 */
export { CATALOGUE_TOPIC, MAX_GOSSIP_MESSAGE_BYTES } from '../constants.ts'
export * from './errors.ts'
export * from './message.ts'
export * from './validator.ts'
