import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { signJws, verifyJwsSignature } from '../src/crypto/jws.ts';
import { RequestAuthenticator, signRequest } from '../src/crypto/request-auth.ts';
import { e2eKeyPairFrom, open, seal } from '../src/crypto/seal.ts';
import type { JpCredential } from '../src/deps.ts';
import { createTestTrust, material, NOW } from './helpers.ts';

/**
 * What the signed requests and the sealed payloads keep instead of making again per request (issue 15): a signer's
 * encoded JWS header, made again when its certificates change; a received header's reading, never a verdict (every
 * check still runs on every token); an X25519 public key imported from its 32 raw bytes, nothing else.
 */
const jp = () => {
  const c = material().countries.JP;
  if (!c) throw new Error('no JP material');
  return c;
};
const credOf = (k: { certPem: string; chainPem: string[]; privateKey: JpCredential['privateKey'] }): JpCredential => ({
  certPem: k.certPem,
  chainPem: [...k.chainPem],
  privateKey: k.privateKey,
});

describe('JWS headers, kept', () => {
  it("a credential's new certificate is in the very next signature", () => {
    const [a, b] = Object.values(jp().agencies);
    if (!a || !b) throw new Error('two agencies needed');
    const cred = credOf(a);
    const first = verifyJwsSignature(signJws({ n: 1 }, cred, 't+jwt'), 't+jwt');
    expect(first.certPem.replace(/\s/g, '')).toBe(a.certPem.replace(/\s/g, ''));
    // The credential renewed in place: certificate and key of another party.
    cred.certPem = b.certPem;
    cred.privateKey = b.privateKey;
    const second = verifyJwsSignature(signJws({ n: 2 }, cred, 't+jwt'), 't+jwt');
    expect(second.certPem.replace(/\s/g, '')).toBe(b.certPem.replace(/\s/g, ''));
    expect(second.payload).toEqual({ n: 2 });
    // Its chain changed alone: the header follows too.
    cred.chainPem = [];
    expect(verifyJwsSignature(signJws({ n: 3 }, cred, 't+jwt'), 't+jwt').chainPem).toEqual([]);
  });

  it('a header read before is judged again: typ, signature and refused members on every token', () => {
    const [a] = Object.values(jp().agencies);
    if (!a) throw new Error('an agency needed');
    const token = signJws({ n: 1 }, credOf(a), 't+jwt');
    expect(verifyJwsSignature(token, 't+jwt').payload).toEqual({ n: 1 });
    // The same header, another typ expected: refused, and still accepted for its own.
    expect(() => verifyJwsSignature(token, 'other+jwt')).toThrow(/typ must be other\+jwt/);
    expect(verifyJwsSignature(token, 't+jwt').payload).toEqual({ n: 1 });
    // The same header over another payload: the signature no longer verifies.
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from('{"n":2}').toString('base64url')}.${s}`;
    expect(() => verifyJwsSignature(forged, 't+jwt')).toThrow(/does not verify/);
    expect(() => verifyJwsSignature(forged, 't+jwt')).toThrow(/does not verify/);
    // A header with a refused member is refused each time it comes.
    const header = JSON.parse(Buffer.from(h as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    const withJku = `${Buffer.from(JSON.stringify({ ...header, jku: 'https://x.test' })).toString('base64url')}.${token.split('.').slice(1).join('.')}`;
    for (let i = 0; i < 2; i++) expect(() => verifyJwsSignature(withJku, 't+jwt')).toThrow(/jku is refused/);
  });
});

describe('sealed payloads, ephemeral keys imported from raw bytes', () => {
  const keys = e2eKeyPairFrom(Buffer.alloc(32, 9));

  it('opens what was sealed to it, and only in its context', () => {
    const sealed = seal('{"income":1}', keys.publicKey, 'r1/request');
    expect(open(sealed, keys, 'r1/request')).toBe('{"income":1}');
    expect(() => open(sealed, keys, 'r2/request')).toThrow(/does not open/);
    const other = e2eKeyPairFrom(Buffer.alloc(32, 8));
    expect(() => open(sealed, other, 'r1/request')).toThrow(/does not open/);
  });

  it('refuses an ephemeral key that is not 32 bytes, or not on the format', () => {
    const parts = seal('x', keys.publicKey, 'c').split('.');
    const withEpk = (epk: string) => ['e2e1', epk, ...parts.slice(2)].join('.');
    const raw = Buffer.from(parts[1] as string, 'base64url');
    for (const epk of [
      Buffer.concat([raw, Buffer.alloc(1)]).toString('base64url'),
      raw.subarray(0, 31).toString('base64url'),
      '',
    ])
      expect(() => open(withEpk(epk), keys, 'c')).toThrow(/does not open/);
    // Another valid key in its place: refused too (the key derivation binds the ephemeral key).
    const x = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x as string;
    expect(() => open(withEpk(x), keys, 'c')).toThrow(/does not open/);
    expect(open(withEpk(parts[1] as string), keys, 'c')).toBe('x');
  });
});

describe('request jtis, held in memory and written behind', () => {
  it('a replay is refused at once, and still after a restart on the same store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jp-jti-'));
    const clock = new VirtualClock();
    clock.freeze(NOW);
    const [agency] = Object.entries(jp().agencies);
    if (!agency) throw new Error('an agency needed');
    const [id, k] = agency;
    const cred = credOf(k);
    const open = () => {
      const store = openStore({ name: 'jti-test', dataDir: dir, writeBehindMs: 60_000 });
      const auth = new RequestAuthenticator({
        store,
        owner: 'test',
        clock,
        trust: createTestTrust(clock),
        directory: { [id]: k.certPem },
        audience: 'jp-network',
      });
      return { store, auth };
    };
    const req = (body: string) => ({
      method: 'POST',
      path: '/jp/network/queries',
      body,
      signature: signRequest(cred, id, 'jp-network', 'POST', '/jp/network/queries', body, clock),
    });
    const first = open();
    const a = req('{"a":1}');
    expect(first.auth.authenticate(a)).toBe(id);
    expect(() => first.auth.authenticate(a)).toThrow(/replayed/);
    // Not written yet (gathered for a minute): the store's close writes it, and the next process reads it back.
    expect(first.store.all('SELECT jti FROM jp_jti')).toHaveLength(0);
    first.store.close();
    const second = open();
    expect(second.store.all('SELECT jti FROM jp_jti')).toHaveLength(1);
    expect(() => second.auth.authenticate(a)).toThrow(/replayed/);
    expect(second.auth.authenticate(req('{"a":2}'))).toBe(id);
    // Past its lifetime and the skew, it is purged from memory and table alike — and refused as expired.
    clock.advance(3 * 60_000);
    expect(() => second.auth.authenticate(a)).toThrow(/expired/);
    expect(second.auth.authenticate(req('{"a":3}'))).toBe(id);
    second.store.flushPending();
    expect(second.store.all('SELECT jti FROM jp_jti')).toHaveLength(1);
    second.store.close();
  });
});
