import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signIdToken } from '../src/id-token/sign-id-token.ts';
import type { SigningKey } from '../src/keys/build-jwks.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys: SigningKey[] = [
  { alg: 'RS256', kid: 'rsa-1', privateKey: rsa.privateKey, publicJwk: { kty: 'RSA' } },
  { alg: 'ES256', kid: 'ec-1', privateKey: ec.privateKey, publicJwk: { kty: 'EC' } },
];
const claims = {
  iss: 'https://node-de.example',
  sub: 'pairwise-1',
  aud: 'rp',
  nonce: 'n-0',
  iat: 1_700_000_000,
  exp: 1_700_000_300,
  family_name: '山田',
  given_name: 'Hanako',
};

describe('signIdToken: a compact JWS made by node:crypto, as jose makes it', () => {
  it('RS256: the same bytes as jose SignJWT (PKCS#1 v1.5 is deterministic), verified by jose', async () => {
    const { token, header } = await signIdToken(claims, 'RS256', keys);
    expect(header).toEqual({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' });
    const reference = await new SignJWT(claims).setProtectedHeader(header).sign(rsa.privateKey);
    expect(token).toBe(reference);
    const { payload } = await jwtVerify(token, rsa.publicKey, {
      algorithms: ['RS256'],
      currentDate: new Date(1_700_000_100_000),
    });
    expect(payload).toEqual(claims);
  });

  it('ES256: r ‖ s (64 bytes, not DER), verified by jose with the public key', async () => {
    const { token } = await signIdToken(claims, 'ES256', keys);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'ec-1', typ: 'JWT' });
    expect(Buffer.from(token.split('.')[2] as string, 'base64url')).toHaveLength(64);
    const { payload } = await jwtVerify(token, ec.publicKey, {
      algorithms: ['ES256'],
      currentDate: new Date(1_700_000_100_000),
    });
    expect(payload).toEqual(claims);
  });

  it('refuses an algorithm it holds no key for', async () => {
    await expect(signIdToken(claims, 'ES256', keys.slice(0, 1))).rejects.toThrow('no ES256 signing key');
  });
});
