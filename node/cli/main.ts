/**
 * The `gxcat` command line.
 */
import { Command } from 'commander'
import { registerBootstrap } from './commands/bootstrap.ts'
import { registerInit } from './commands/init.ts'
import { registerPeers } from './commands/peers.ts'
import { registerKeygen } from './commands/keygen.ts'
import { registerRepair } from './commands/repair.ts'
import { registerPublish } from './commands/publish.ts'
import { registerQuery } from './commands/query.ts'
import { registerRevoke } from './commands/revoke.ts'
import { registerStart } from './commands/start.ts'
import { registerSync } from './commands/sync.ts'
import { registerTrust } from './commands/trust.ts'
import { registerSign } from './commands/sign.ts'
import { registerVerify } from './commands/verify.ts'
import { reportError } from './errors.ts'
import pkg from '../../package.json' with { type: 'json' }

export function createProgram (): Command {
  const program = new Command('gxcat')
    .description('gxcat: a peer-to-peer catalogue of Gaia-X self-descriptions')
    .version(pkg.version)
    .showHelpAfterError()
  registerKeygen(program)
  registerSign(program)
  registerVerify(program)
  registerInit(program)
  registerStart(program)
  registerPublish(program)
  registerQuery(program)
  registerRevoke(program)
  registerPeers(program)
  registerBootstrap(program)
  registerSync(program)
  registerRepair(program)
  registerTrust(program)
  return program
}

createProgram().parseAsync(process.argv).catch(reportError)
