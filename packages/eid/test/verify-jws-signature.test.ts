import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseCompactJwt } from '../src/validate/parse-compact-jwt.ts';
import { importVerificationKey, verifyJwsSignature } from '../src/validate/verify-jws-signature.ts';

const pairs = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  EdDSA: generateKeyPairSync('ed25519'),
} as const;
type Alg = keyof typeof pairs;

const jws = (alg: string, priv: KeyObject, header: Record<string, unknown> = {}, payload = '{"sub":"a"}') =>
  new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg, ...header }).sign(priv);

/** Verifies like the validator: parsed strictly, then the signature with the imported key. */
async function check(token: string, jwk: JWK, alg: string): Promise<boolean> {
  const parsed = parseCompactJwt(token);
  if (!parsed.ok) throw new Error(parsed.reason);
  return verifyJwsSignature(token, parsed.jwt, await importVerificationKey(jwk, alg), alg);
}
/** What jose alone answers for the same token and key (the reference). */
const joseSays = async (token: string, jwk: JWK, alg: string) => {
  const { importJWK } = await import('jose');
  return compactVerify(token, await importJWK(jwk, alg), { algorithms: [alg] }).then(
    () => true,
    () => false,
  );
};
const tamper = (token: string) => {
  const [h, , s] = token.split('.') as [string, string, string];
  return `${h}.${Buffer.from('{"sub":"b"}').toString('base64url')}.${s}`;
};

describe('verifyJwsSignature: node:crypto answers as jose does', () => {
  for (const alg of Object.keys(pairs) as Alg[])
    it(`${alg}: a valid signature verifies, a tampered payload or another key does not`, async () => {
      const { privateKey, publicKey } = pairs[alg];
      const jwk = await exportJWK(publicKey);
      const token = await jws(alg, privateKey);
      expect(await check(token, jwk, alg)).toBe(true);
      expect(await joseSays(token, jwk, alg)).toBe(true);
      expect(await check(tamper(token), jwk, alg)).toBe(false);
      expect(await joseSays(tamper(token), jwk, alg)).toBe(false);
      const other = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : alg.startsWith('ES') ? pairs.ES256 : pairs.PS256;
      if (other !== pairs[alg]) expect(await check(token, await exportJWK(other.publicKey), alg)).toBe(false);
    });

  it('a key of another type than the algorithm never verifies (an RSA key for ES256, a P-384 key for ES256)', async () => {
    const token = await jws('ES256', pairs.ES256.privateKey);
    const rsaKey = await importVerificationKey(await exportJWK(pairs.RS256.publicKey), 'RS256');
    const parsed = parseCompactJwt(token);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(await verifyJwsSignature(token, parsed.jwt, rsaKey, 'ES256')).toBe(false);
    expect(await check(token, await exportJWK(pairs.ES384.publicKey), 'ES256')).toBe(false);
  });

  it('an RSA key under 2048 bits is refused, as jose refuses it', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = await exportJWK(small.publicKey);
    const token = await jws('RS256', small.privateKey).catch(() => undefined);
    // jose will not even sign with it; a token signed by node:crypto directly is refused all the same.
    expect(token).toBeUndefined();
    const input = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}`;
    const sig = createSign('sha256').update(input).sign(small.privateKey).toString('base64url');
    expect(await check(`${input}.${sig}`, jwk, 'RS256')).toBe(false);
    expect(await joseSays(`${input}.${sig}`, jwk, 'RS256')).toBe(false);
  });

  it('a JWK for encryption, or whose key_ops exclude verify, is no verification key', async () => {
    const jwk = await exportJWK(pairs.RS256.publicKey);
    await expect(importVerificationKey({ ...jwk, use: 'enc' }, 'RS256')).rejects.toThrow(/use/);
    await expect(importVerificationKey({ ...jwk, key_ops: ['encrypt'] }, 'RS256')).rejects.toThrow(/key_ops/);
    await expect(importVerificationKey({ ...jwk, use: 'sig', key_ops: ['verify'] }, 'RS256')).resolves.toBeDefined();
  });

  it('a header with crit goes to jose, told the header’s own list (strict validation refused crit before: J13)', async () => {
    const { privateKey, publicKey } = pairs.RS256;
    const jwk = await exportJWK(publicKey);
    // jose will not sign with a crit it does not know: signed by node:crypto directly.
    const input = [{ alg: 'RS256', crit: ['exp'], exp: 1 }, { sub: 'a' }]
      .map((o) => Buffer.from(JSON.stringify(o)).toString('base64url'))
      .join('.');
    const withCrit = `${input}.${createSign('sha256').update(input).sign(privateKey).toString('base64url')}`;
    expect(await check(withCrit, jwk, 'RS256')).toBe(true);
    expect(await check(tamper(withCrit), jwk, 'RS256')).toBe(false);
    expect(await check(await jws('RS256', privateKey, { b64: true, crit: ['b64'] }), jwk, 'RS256')).toBe(true);
  });
});
