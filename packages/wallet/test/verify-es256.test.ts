import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { freshEcKey } from '../src/crypto/ec-key.ts';
import { sha256b64url } from '../src/crypto/oid4vc-callbacks.ts';
import { holderKey, verifyEs256 } from '../src/crypto/verify-es256.ts';

/** The verifier's ES256 check by node:crypto (issue 15: instead of jose's WebCrypto path), as strict as jose's. */
const key = freshEcKey();
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const signed = (header: Record<string, unknown>, payload: unknown = { a: 1 }, k = key.privateKey) =>
  new CompactSign(enc(payload)).setProtectedHeader(header as never).sign(k);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('verifyEs256', () => {
  it('verifies an ES256 JWS with its key, many times (signatures of every length of r and s)', async () => {
    for (let i = 0; i < 64; i++)
      expect(await verifyEs256(await signed({ alg: 'ES256' }, { i }), key.publicKey)).toBe(true);
  });

  it('refuses another key, a changed payload, a changed signature, another alg, a key of another curve', async () => {
    const jws = await signed({ alg: 'ES256' });
    const [h, , s] = jws.split('.') as [string, string, string];
    expect(await verifyEs256(jws, freshEcKey().publicKey)).toBe(false);
    expect(await verifyEs256(`${h}.${b64({ a: 2 })}.${s}`, key.publicKey)).toBe(false);
    expect(await verifyEs256(`${jws.slice(0, -2)}AA`, key.publicKey)).toBe(false);
    expect(await verifyEs256(`${b64({ alg: 'ES384' })}.${jws.split('.')[1]}.${s}`, key.publicKey)).toBe(false);
    expect(await verifyEs256(`${jws}.x`, key.publicKey)).toBe(false);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(await verifyEs256(jws, p384.publicKey)).toBe(false);
    expect(await verifyEs256(jws, key.privateKey)).toBe(false);
  });

  it('a character beyond ASCII in the signing input is refused, never read as the byte of another (U+0141 for A)', async () => {
    const jws = await signed({ alg: 'ES256' }, { a: 'AAAAAAAA' });
    const [h, p, s] = jws.split('.') as [string, string, string];
    const at = p.indexOf('Q');
    expect(at).toBeGreaterThan(-1);
    const forged = `${h}.${p.slice(0, at)}${String.fromCharCode(0x100 + 'Q'.charCodeAt(0))}${p.slice(at + 1)}.${s}`;
    expect(await verifyEs256(jws, key.publicKey)).toBe(true);
    expect(await verifyEs256(forged, key.publicKey)).toBe(false);
    // The same for a disclosure's digest and sd_hash.
    expect(sha256b64url(p)).toBe(createHash('sha256').update(p).digest('base64url'));
    expect(sha256b64url(forged.split('.')[1] as string)).not.toBe(sha256b64url(p));
  });

  it('a zero or overlong signature is refused (r = s = 0 is the "psychic signature")', async () => {
    const [h, p] = (await signed({ alg: 'ES256' })).split('.') as [string, string];
    expect(await verifyEs256(`${h}.${p}.${Buffer.alloc(64).toString('base64url')}`, key.publicKey)).toBe(false);
    expect(await verifyEs256(`${h}.${p}.${Buffer.alloc(65, 1).toString('base64url')}`, key.publicKey)).toBe(false);
  });

  it('a header with crit goes to jose, which refuses an extension it does not know (signed or not)', async () => {
    const header = b64({ alg: 'ES256', crit: ['urn:x'], 'urn:x': 1 });
    const payload = b64({ a: 1 });
    const sig = sign('sha256', Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(await verifyEs256(`${header}.${payload}.${sig.toString('base64url')}`, key.publicKey)).toBe(false);
  });
});

describe('holderKey', () => {
  it('imports a cnf.jwk once and gives the same key for the same point', () => {
    const a = holderKey({ ...key.publicJwk });
    expect(holderKey({ ...key.publicJwk, kid: 'x' })).toBe(a);
    expect(a.equals(key.publicKey)).toBe(true);
  });

  it('refuses what jose would: another key type or curve, a private key, key_ops without verify, a point off the curve', () => {
    const { x, y } = key.publicJwk;
    expect(() => holderKey({ kty: 'OKP', crv: 'Ed25519', x })).toThrow(TypeError);
    expect(() => holderKey({ kty: 'EC', crv: 'P-384', x, y })).toThrow(TypeError);
    expect(() => holderKey({ kty: 'EC', crv: 'P-256', x, y, d: 'AAAA' })).toThrow(TypeError);
    expect(() => holderKey({ kty: 'EC', crv: 'P-256', x, y, key_ops: ['sign'] })).toThrow(TypeError);
    expect(() => holderKey({ kty: 'EC', crv: 'P-256', x, y: x })).toThrow();
    expect(() => holderKey(undefined)).toThrow(TypeError);
  });
});
