/**
 * A ComponentLogger for simulated nodes: libp2p makes a debug logger for every connection and
 * stream, and with hundreds of nodes creating them (each asks whether stderr is a terminal)
 * costs more CPU than the protocols do. Unless DEBUG is set, simulated nodes log nothing.
 */
import { defaultLogger } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

const silent: Logger = Object.assign((): void => {}, {
  error: (): void => {},
  trace: (): void => {},
  enabled: false,
  newScope: (): Logger => silent
})

const quiet: ComponentLogger = { forComponent: () => silent }

export function simulationLogger (): ComponentLogger {
  return process.env.DEBUG != null && process.env.DEBUG !== '' ? defaultLogger() : quiet
}
