/**
 * JWS signatures checked with node:crypto: a KeyObject made once per key, then `crypto.verify`
 * with a callback, which runs on libuv's thread pool, so verifications use the other cores
 * while the main thread goes on. jose's WebCrypto path costs a second decoding of the JWS and
 * more dispatch for each one; the algorithms are the few gxcat allows (ALLOWED_ALGORITHMS).
 */
import { constants, createPublicKey, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto'
import type { JWK } from 'jose'

const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1' }
const MIN_RSA_BITS = 2048

/** The public key of a JWK as a KeyObject, refused where it cannot sign with `alg`. */
export function importPublicKey (jwk: JWK, alg: string): KeyObject {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, alg: _alg, use: _use, key_ops: _ops, ...publicJwk } = jwk
  const key = createPublicKey({ key: publicJwk as any, format: 'jwk' })
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  const fits = alg === 'EdDSA'
    ? type === 'ed25519' || type === 'ed448'
    : alg in CURVES
      ? type === 'ec' && details.namedCurve === CURVES[alg]
      : alg === 'PS256'
        ? (type === 'rsa' || type === 'rsa-pss') && (details.modulusLength ?? 0) >= MIN_RSA_BITS
        : false
  if (!fits) throw new TypeError(`a ${type ?? 'key'}${details.namedCurve != null ? ` (${details.namedCurve})` : ''}${details.modulusLength != null ? ` of ${details.modulusLength} bits` : ''} key cannot verify ${alg}`)
  return key
}

/** Whether the signature of a compact JWS verifies with `key` under `alg`. */
export async function verifyJwsSignature (jws: string, alg: string, key: KeyObject): Promise<boolean> {
  const dot = jws.lastIndexOf('.')
  const data = Buffer.from(jws.slice(0, dot), 'latin1')
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url')
  const check = (algorithm: string | null, options: KeyObject | VerifyKeyObjectInput): Promise<boolean> => new Promise((resolve, reject) => {
    verify(algorithm, data, options, signature, (err, valid) => { if (err != null) reject(err); else resolve(valid) })
  })
  switch (alg) {
    case 'EdDSA': return check(null, key)
    case 'ES256': return signature.length === 64 && check('sha256', { key, dsaEncoding: 'ieee-p1363' })
    case 'ES384': return signature.length === 96 && check('sha384', { key, dsaEncoding: 'ieee-p1363' })
    case 'PS256': return check('sha256', { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
    default: return false
  }
}
