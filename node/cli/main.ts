/**
 * The `gxcat` command line.
 */
import { Command } from 'commander'
import { registerKeygen } from './commands/keygen.ts'
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
  return program
}

createProgram().parseAsync(process.argv).catch(reportError)
