import type { KeyObject } from 'node:crypto';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

/** One ID-token signing key: the private key (never published) and its public JWK. */
export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

const pemToDerB64 = (pem: string) => new X509Certificate(pem).raw.toString('base64');

/**
 * Builds the provider's signing keys: RS256 with the node's signing key (its JWK carries `x5c`, the
 * certificate chain, so a verifier can chain it to the trust fabric) and ES256 with the key derived from
 * the seed. The kid is the RFC 7638 thumbprint. Public parts only in `publicJwk`.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4.7 (x5c)
 * @see https://www.rfc-editor.org/rfc/rfc7638 (JWK thumbprint)
 */
export async function buildSigningKeys(
  rsa: { privateKey: KeyObject; certPem: string; chainPem: readonly string[] },
  es256: { privateKey: KeyObject; publicKey: KeyObject },
): Promise<SigningKey[]> {
  const rsaPublic = await exportJWK(createPublicKey(rsa.privateKey));
  const ecPublic = await exportJWK(es256.publicKey);
  const rsaJwk: JWK = {
    kty: rsaPublic.kty,
    n: rsaPublic.n,
    e: rsaPublic.e,
    use: 'sig',
    alg: 'RS256',
    ...(rsa.certPem ? { x5c: [rsa.certPem, ...rsa.chainPem].map(pemToDerB64) } : {}),
  } as JWK;
  rsaJwk.kid = await calculateJwkThumbprint(rsaPublic);
  const ecJwk: JWK = { kty: 'EC', crv: ecPublic.crv, x: ecPublic.x, y: ecPublic.y, use: 'sig', alg: 'ES256' } as JWK;
  ecJwk.kid = await calculateJwkThumbprint(ecPublic);
  return [
    { alg: 'RS256', kid: rsaJwk.kid, privateKey: rsa.privateKey, publicJwk: rsaJwk },
    { alg: 'ES256', kid: ecJwk.kid as string, privateKey: es256.privateKey, publicJwk: ecJwk },
  ];
}
