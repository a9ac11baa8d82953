import { type KeyObject, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
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

/**
 * Decrypts a `direct_post.jwt` response (OpenID4VP §8.3): an unsigned JWE, `alg` the key's (ECDH-ES), `enc`
 * one the verifier offered; the payload is the JSON object of the response parameters.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.3
 */
export async function decryptResponse(jwe: string, key: ResponseKey): Promise<Record<string, unknown>> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, key.privateKey, {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: [...RESPONSE_ENC_VALUES],
  });
  if (protectedHeader.kid !== key.jwk.kid) throw new Error('the JWE names another key');
  const payload = JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not a JSON object');
  return payload as Record<string, unknown>;
}

/** The wallet's side: the response parameters encrypted to the verifier's key (`kid` copied, §8.3). */
export async function encryptResponse(
  payload: Record<string, unknown>,
  jwk: JWK & { kid?: string },
  enc: string,
): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .encrypt(await importJWK(jwk, 'ECDH-ES'));
}
