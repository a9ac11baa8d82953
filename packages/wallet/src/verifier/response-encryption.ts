import { type KeyObject, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, type JWK } from 'jose';
import { freshEcKey } from '../crypto/ec-key.ts';

/** The content encryptions a verifier accepts for `direct_post.jwt` (HAIP §5: A128GCM and A256GCM). */
export const RESPONSE_ENC_VALUES = ['A128GCM', 'A256GCM'] as const;

/** A verifier's response encryption key for one request (HAIP §5.1: a fresh key per request). */
export interface ResponseKey {
  privateKey: KeyObject;
  /** The public JWK as `client_metadata.jwks` carries it: `kid`, `use` enc, `alg` ECDH-ES. */
  jwk: JWK & { kid: string; alg: 'ECDH-ES'; use: 'enc' };
}

/** A fresh P-256 ECDH-ES key for one request's encrypted response. */
export function createResponseKey(): ResponseKey {
  const k = freshEcKey();
  return {
    privateKey: k.privateKey,
    jwk: { ...k.publicJwk, kid: randomBytes(12).toString('base64url'), alg: 'ECDH-ES', use: 'enc' },
  };
}

/** The `kid` of a JWE's protected header, or undefined when it is not a compact JWE. */
export function jweKid(jwe: string): string | undefined {
  try {
    const h = decodeProtectedHeader(jwe);
    return typeof h.kid === 'string' ? h.kid : undefined;
  } catch {
    return undefined;
  }
}
