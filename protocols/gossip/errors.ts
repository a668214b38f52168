/**
 * Errors of the gossip protocol.
 */
import { InvalidInputError } from '../errors.ts'

export class InvalidGossipMessageError extends InvalidInputError {
  static name = 'InvalidGossipMessageError'
  name = 'InvalidGossipMessageError'
}
