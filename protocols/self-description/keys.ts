/**
 * Issuer keys: generation, the did:key method (Ed25519 and P-256, resolved locally with no
 * network), and the JWS algorithm that goes with a key.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { base58btc } from 'multiformats/bases/base58'
import { MULTICODEC_ED25519_PUB, MULTICODEC_P256_PUB } from '../constants.ts'
import { DidResolutionError, InvalidKeyError } from './errors.ts'
import type { JWK } from 'jose'

export type KeyType = 'ed25519' | 'p256'

/** A private issuer key as kept in a key file: a private JWK plus its DID URL (`kid`). */
export interface IssuerKey extends JWK {
  kid: string
  d: string
}

/** DER prefix of a SubjectPublicKeyInfo of a compressed P-256 point (RFC 5480). */
const P256_COMPRESSED_SPKI_PREFIX = Uint8Array.from(Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'))

export function generateIssuerKey (type: KeyType = 'ed25519'): IssuerKey {
  const pair = type === 'p256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('ed25519')
  const jwk = pair.privateKey.export({ format: 'jwk' }) as JWK & { d: string }
  const { kid } = didKeyFromJwk(jwk)
  return { ...jwk, kid }
}

/** The did:key of a public (or private) JWK, with its DID URL `did#fragment`. */
export function didKeyFromJwk (jwk: JWK): { did: string, kid: string } {
  let multicodec: Uint8Array
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') {
    multicodec = concat(MULTICODEC_ED25519_PUB, Buffer.from(jwk.x, 'base64url'))
  } else if (jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    const y = Buffer.from(jwk.y, 'base64url')
    const prefix = (y[y.length - 1] & 1) === 1 ? 0x03 : 0x02
    multicodec = concat(MULTICODEC_P256_PUB, Uint8Array.of(prefix), Buffer.from(jwk.x, 'base64url'))
  } else {
    throw new InvalidKeyError(`did:key supports Ed25519 and P-256 keys, not kty=${jwk.kty} crv=${jwk.crv}`)
  }
  const fragment = base58btc.encode(multicodec)
  const did = `did:key:${fragment}`
  return { did, kid: `${did}#${fragment}` }
}

/** The public JWK named by a did:key (RFC 8037 / RFC 7518 form). */
export function jwkFromDidKey (did: string): JWK {
  const id = did.slice('did:key:'.length)
  let bytes: Uint8Array
  try {
    bytes = base58btc.decode(id)
  } catch (err: any) {
    throw new DidResolutionError(`${did} is not a valid did:key: ${err.message}`)
  }
  if (startsWith(bytes, MULTICODEC_ED25519_PUB) && bytes.length === 34) {
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(2)).toString('base64url') }
  }
  if (startsWith(bytes, MULTICODEC_P256_PUB) && bytes.length === 35) {
    try {
      const key = createPublicKey({ key: Buffer.from(concat(P256_COMPRESSED_SPKI_PREFIX, bytes.subarray(2))), format: 'der', type: 'spki' })
      const { kty, crv, x, y } = key.export({ format: 'jwk' })
      return { kty, crv, x, y }
    } catch (err: any) {
      throw new DidResolutionError(`${did} does not hold a valid P-256 point: ${err.message}`)
    }
  }
  throw new DidResolutionError(`${did} names a key type gxcat does not support (Ed25519 and P-256 only)`)
}

/** The JWS `alg` to sign with a key. */
export function algorithmForJwk (jwk: JWK): string {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384'
  if (jwk.kty === 'RSA') return 'PS256'
  throw new InvalidKeyError(`no signing algorithm for kty=${jwk.kty} crv=${jwk.crv}`)
}

/** Checks a parsed key file and returns it typed. */
export function parseIssuerKey (value: unknown): IssuerKey {
  const key = value as IssuerKey
  if (key == null || typeof key !== 'object' || typeof key.kty !== 'string') throw new InvalidKeyError('a key file holds a private JWK (kty, d, …)')
  if (typeof key.d !== 'string') throw new InvalidKeyError('the key file holds no private key (d)')
  if (typeof key.kid !== 'string' || !key.kid.startsWith('did:') || !key.kid.includes('#')) throw new InvalidKeyError('the key file has no kid (a DID URL such as did:key:z…#z…)')
  algorithmForJwk(key)
  return key
}

/** The DID part of a DID URL. */
export function didOf (didUrl: string): string {
  const hash = didUrl.indexOf('#')
  return hash === -1 ? didUrl : didUrl.slice(0, hash)
}

function concat (...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts))
}

function startsWith (bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.every((b, i) => bytes[i] === b)
}
