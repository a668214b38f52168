/**
 * The trust policy of a node or of `gxcat verify`, from its configuration: the mode, the PEM
 * files of the trust anchors (paths as given, relative to the working directory), the
 * trusted issuer DIDs, and the trust lists imported into the data directory.
 */
import { readFile } from 'node:fs/promises'
import { createTrustPolicy, type TrustMode, type TrustPolicy } from '../protocols/self-description/index.ts'
import { ConfigError } from './errors.ts'
import type { TrustListsInForce } from './trust-lists.ts'

export interface TrustConfig {
  trust?: TrustMode
  trustAnchors?: string[]
  trustedIssuers?: string[]
}

/** The policy of a configuration and the trust lists imported into the data directory (anchors, revoked issuers). */
export async function loadTrustPolicy (config: TrustConfig, imported?: TrustListsInForce): Promise<TrustPolicy> {
  const mode = config.trust ?? 'open'
  const files = config.trustAnchors ?? []
  const issuers = config.trustedIssuers ?? []
  if (mode === 'anchors' && files.length === 0 && issuers.length === 0 && (imported?.anchors.length ?? 0) === 0) {
    throw new ConfigError('trust policy "anchors" needs at least one trust anchor (--trust-anchor CERT.pem, or gxcat trust import LIST) or trusted issuer (--trust-issuer DID); with neither, this node would store nothing')
  }
  const anchors = await Promise.all(files.map(async file => {
    try {
      return await readFile(file, 'utf8')
    } catch (err: any) {
      throw new ConfigError(`cannot read the trust anchor ${file}: ${err.code ?? err.message}`)
    }
  }))
  try {
    return createTrustPolicy({ mode, anchors: [...anchors, ...imported?.anchors ?? []], issuers, revoked: imported?.revokedIssuers, lists: imported?.lists })
  } catch (err: any) {
    throw new ConfigError(`${err.message} (${files.join(', ')})`)
  }
}
