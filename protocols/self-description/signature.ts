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

/** What node:crypto's verify takes for a JWS signed with `alg`; undefined for an alg it cannot be, or a signature of the wrong length. */
function verifyArguments (jws: string, alg: string, key: KeyObject): { algorithm: string | null, data: Buffer, options: KeyObject | VerifyKeyObjectInput, signature: Buffer } | undefined {
  const dot = jws.lastIndexOf('.')
  const data = Buffer.from(jws.slice(0, dot), 'latin1')
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url')
  switch (alg) {
    case 'EdDSA': return { algorithm: null, data, options: key, signature }
    case 'ES256': return signature.length === 64 ? { algorithm: 'sha256', data, options: { key, dsaEncoding: 'ieee-p1363' }, signature } : undefined
    case 'ES384': return signature.length === 96 ? { algorithm: 'sha384', data, options: { key, dsaEncoding: 'ieee-p1363' }, signature } : undefined
    case 'PS256': return { algorithm: 'sha256', data, options: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature }
    default: return undefined
  }
}

/** Whether the signature of a compact JWS verifies with `key` under `alg`, on libuv's thread pool. */
export async function verifyJwsSignature (jws: string, alg: string, key: KeyObject): Promise<boolean> {
  const args = verifyArguments(jws, alg, key)
  if (args == null) return false
  return new Promise((resolve, reject) => {
    verify(args.algorithm, args.data, args.options, args.signature, (err, valid) => { if (err != null) reject(err); else resolve(valid) })
  })
}

/** The same, in this thread: for a worker thread that does nothing else meanwhile. */
export function verifyJwsSignatureSync (jws: string, alg: string, key: KeyObject): boolean {
  const args = verifyArguments(jws, alg, key)
  return args != null && verify(args.algorithm, args.data, args.options, args.signature)
}
