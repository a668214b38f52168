/**
 * Signing: a credential becomes a compact JWS whose payload is the credential itself
 * (W3C VC-JOSE), signed with jose.
 */
import { CompactSign, importJWK } from 'jose'
import { buildCredential, type BuildCredentialOptions, type Credential } from './credential.ts'
import { algorithmForJwk, didOf, type IssuerKey } from './keys.ts'
import { decodeJws } from './jws.ts'
import { checkCredential } from './verify.ts'
import { assertGaiaxShapes } from './gaia-x-shapes.ts'
import { MAX_CREDENTIAL_BYTES } from '../constants.ts'

const encoder = new TextEncoder()
const importedKeys = new WeakMap<IssuerKey, Promise<CryptoKey | Uint8Array>>()

/** Signs any JSON payload with an issuer key; `header` adds to alg and kid. */
export async function signJws (payload: unknown, key: IssuerKey, header: Record<string, unknown>): Promise<string> {
  const alg = algorithmForJwk(key)
  let imported = importedKeys.get(key)
  if (imported == null) {
    const { kid: _kid, ...jwk } = key
    imported = importJWK(jwk, alg)
    importedKeys.set(key, imported)
  }
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header, alg, kid: key.kid })
    .sign(await imported)
}

/** Signs a credential (or a bare credentialSubject, wrapped first) as a VC-JWT. */
export async function signCredential (input: Record<string, unknown>, key: IssuerKey, options: Partial<BuildCredentialOptions> = {}): Promise<string> {
  const issuer = didOf(key.kid)
  const credential: Credential = buildCredential(input, { ...options, issuer })
  const jws = await signJws(credential, key, { typ: 'vc+jwt', cty: 'vc', iss: issuer })
  // refuse to hand out a credential that no node would accept (shapes, context, dates)
  checkCredential(decodeJws(jws, MAX_CREDENTIAL_BYTES, 'the credential'), Date.parse(credential.validFrom))
  await assertGaiaxShapes(credential)
  return jws
}
