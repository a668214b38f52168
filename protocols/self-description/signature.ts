/**
 * JWS signatures checked with node:crypto, synchronously: a KeyObject made once per key, then a
 * plain `crypto.verify` per signature. jose's WebCrypto path costs a promise, a thread-pool
 * round trip and a second decoding of the JWS for each one, several times the verification
 * itself; the algorithms are the few gxcat allows (ALLOWED_ALGORITHMS).
 */
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto'
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
export function verifyJwsSignature (jws: string, alg: string, key: KeyObject): boolean {
  const dot = jws.lastIndexOf('.')
  const data = Buffer.from(jws.slice(0, dot), 'latin1')
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url')
  switch (alg) {
    case 'EdDSA': return verify(null, data, key, signature)
    case 'ES256': return signature.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    case 'ES384': return signature.length === 96 && verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    case 'PS256': return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
    default: return false
  }
}
