import { SignJWT } from 'jose';
import type { SigningKey } from '../keys/build-jwks.ts';

/** ID token lifetime: 5 minutes. */
export const ID_TOKEN_TTL_SECONDS = 300;

/**
 * Signs an ID token (`typ: JWT`, the key's `kid`) with the algorithm registered for the client.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Signing (OIDC Core §10.1)
 */
export async function signIdToken(
  claims: Record<string, unknown>,
  alg: 'RS256' | 'ES256',
  keys: readonly SigningKey[],
): Promise<{ token: string; header: { alg: string; kid: string; typ: string } }> {
  const key = keys.find((k) => k.alg === alg);
  if (!key) throw new Error(`no ${alg} signing key`);
  const header = { alg, kid: key.kid, typ: 'JWT' };
  return { token: await new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey), header };
}
