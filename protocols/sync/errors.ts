/**
 * Errors that end a sync session.
 */

export class SyncProtocolError extends Error {
  static name = 'SyncProtocolError'
  name = 'SyncProtocolError'
}

export class SyncLimitError extends Error {
  static name = 'SyncLimitError'
  name = 'SyncLimitError'
}

export class SyncTimeoutError extends Error {
  static name = 'SyncTimeoutError'
  name = 'SyncTimeoutError'
}

/** The stream failed under the session (reset, closed, connection gone): nobody's fault. */
export class SyncStreamError extends Error {
  static name = 'SyncStreamError'
  name = 'SyncStreamError'
}
