import { type KeyObject, type SignKeyObjectInput, sign } from 'node:crypto';
import type { SigningKey } from '../keys/build-jwks.ts';

/** ID token lifetime: 5 minutes. */
export const ID_TOKEN_TTL_SECONDS = 300;

/**
 * How node:crypto signs each ID-token algorithm: RS256 is RSASSA-PKCS1-v1_5 with SHA-256, ES256 ECDSA P-256 with
 * SHA-256 and the signature as `r ‖ s` (64 bytes), not DER.
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.3 (RS256)
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.4 (ES256: the JWS signature is R ‖ S)
 */
function signingInput(alg: 'RS256' | 'ES256', key: KeyObject): KeyObject | SignKeyObjectInput {
  return alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
}

/**
 * Signs an ID token (`typ: JWT`, the key's `kid`) with the algorithm registered for the client, as a compact JWS:
 * `BASE64URL(header) . BASE64URL(claims) . BASE64URL(signature)`. The signature is made by node:crypto on the libuv
 * thread pool (an RSA-2048 signature costs about a millisecond of CPU; the event loop serves other requests
 * meanwhile) — the same bytes jose's `SignJWT` produces for these claims, header and key (tested).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Signing (OIDC Core §10.1)
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1 (JWS Compact Serialization)
 */
export async function signIdToken(
  claims: Record<string, unknown>,
  alg: 'RS256' | 'ES256',
  keys: readonly SigningKey[],
): Promise<{ token: string; header: { alg: string; kid: string; typ: string } }> {
  const key = keys.find((k) => k.alg === alg);
  if (!key) throw new Error(`no ${alg} signing key`);
  const header = { alg, kid: key.kid, typ: 'JWT' };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = await new Promise<Buffer>((resolve, reject) =>
    sign('sha256', Buffer.from(input), signingInput(alg, key.privateKey), (err, sig) =>
      err ? reject(err) : resolve(sig),
    ),
  );
  return { token: `${input}.${signature.toString('base64url')}`, header };
}
