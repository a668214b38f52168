/**
 * Errors of the gossip protocol.
 */

export class InvalidGossipMessageError extends Error {
  static name = 'InvalidGossipMessageError'
  name = 'InvalidGossipMessageError'
}
