import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { openStore, VirtualClock } from '@kakehashi/core';
import { LOA } from '@kakehashi/personas';
import { exportJWK, type JWK } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IssuerKey, IssuerKeys, ReplayCache } from '../src/validate/issuer-keys.ts';
import { decodeBase64UrlStrict, findDuplicateKey, parseCompactJwt } from '../src/validate/parse-compact-jwt.ts';
import { createStoreReplayCache, REPLAY_PURGE_INTERVAL_SECONDS } from '../src/validate/replay-cache.ts';
import { createIssuerKeyResolver, JWKS_MIN_REFETCH_SECONDS } from '../src/validate/resolve-issuer-keys.ts';
import { validateIdToken } from '../src/validate/validate-id-token.ts';
import type { ExpectedIdToken, IdTokenVerdict } from '../src/validate/z-validation.ts';

/** A fake federation: JP's issuer with an RS256 key (certified for JP) and an ES256 key; DE's keys apart. */
const JP = 'http://jp.example';
const DE = 'http://de.example';
const RP = 'kakehashi-demo-rp';
const T0 = Date.parse('2030-01-01T00:00:00Z');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const deRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const REGISTERED_X5C = ['MIIBregisteredLeaf', 'MIIBregisteredCA'];

const pub = async (k: KeyObject, extra: Record<string, unknown>) => ({ ...(await exportJWK(k)), ...extra }) as JWK;
const JP_KEYS: IssuerKey[] = [
  {
    kid: 'rsa-1',
    alg: 'RS256',
    jwk: await pub(rsa.publicKey, { kid: 'rsa-1', alg: 'RS256', x5c: REGISTERED_X5C }),
    x5c: REGISTERED_X5C,
    certificate: { valid: true, country: 'JP', reason: 'chain to JP root' },
  },
  { kid: 'ec-1', alg: 'ES256', jwk: await pub(ec.publicKey, { kid: 'ec-1', alg: 'ES256' }) },
];
const DE_KEYS: IssuerKey[] = [
  {
    kid: 'de-rsa',
    alg: 'RS256',
    jwk: await pub(deRsa.publicKey, { kid: 'de-rsa', alg: 'RS256' }),
    certificate: { valid: true, country: 'DE', reason: 'chain to DE root' },
  },
];

let issuers: Record<string, IssuerKeys>;
let clock: VirtualClock;
let replay: ReplayCache;
let store: ReturnType<typeof openStore>;
beforeEach(() => {
  issuers = {
    [JP]: { issuer: JP, country: 'JP', keys: new Map(JP_KEYS.map((k) => [k.kid, { ...k }])) },
    [DE]: { issuer: DE, country: 'DE', keys: new Map(DE_KEYS.map((k) => [k.kid, k])) },
  };
  clock = new VirtualClock();
  clock.freeze(new Date(T0));
  store = openStore({ name: 'validate-test' });
  replay = createStoreReplayCache(store, clock);
});

const ctx = () => ({
  clock,
  clockSkewSeconds: 60,
  resolveKeys: async (iss: string) => issuers[iss],
  replay,
});
const now = () => Math.floor(clock.nowMs() / 1000);
const EXPECTED: ExpectedIdToken = { issuer: JP, audience: RP, nonce: 'n-0S6_WzA2Mj' };

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: JP,
  sub: 'pairwise-sub-abc',
  aud: RP,
  azp: RP,
  exp: now() + 300,
  iat: now(),
  auth_time: now(),
  nonce: EXPECTED.nonce,
  acr: LOA.substantial,
  amr: ['pwd', 'otp', 'mfa'],
  family_name: 'Yamada',
  given_name: 'Taro',
  birthdate: '1980-01-01',
  eidas_person_identifier: 'JP/JP/abc',
  ...extra,
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs any header and payload with node:crypto (no library guards: we build attacks). */
function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  key: KeyObject | Buffer | string | 'none',
): string {
  const input = `${typeof header === 'string' ? header : b64(header)}.${typeof payload === 'string' ? payload : b64(payload)}`;
  if (key === 'none') return `${input}.`;
  const alg = String(header.alg);
  let sig: Buffer;
  if (/^HS/i.test(alg))
    sig = createHmac(`sha${alg.slice(2)}`, key as string)
      .update(input)
      .digest();
  else if (alg.startsWith('ES'))
    sig = sign('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg.startsWith('PS'))
    sig = sign('sha256', Buffer.from(input), { key: key as KeyObject, padding: 6, saltLength: 32 });
  else sig = sign('sha256', Buffer.from(input), key as KeyObject);
  return `${input}.${sig.toString('base64url')}`;
}

const rs = (payload: Record<string, unknown> = claims(), header: Record<string, unknown> = {}) =>
  forge({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT', ...header }, payload, rsa.privateKey);
const es = (payload: Record<string, unknown> = claims(), header: Record<string, unknown> = {}) =>
  forge({ alg: 'ES256', kid: 'ec-1', typ: 'JWT', ...header }, payload, ec.privateKey);

const validate = (token: string, expected: ExpectedIdToken = EXPECTED) => validateIdToken(token, expected, ctx());

function expectRejected(v: IdTokenVerdict, rule: string, code?: string): void {
  expect(v.valid).toBe(false);
  expect(v.identity).toBeUndefined();
  expect(v.failure?.rule).toBe(rule);
  if (code) expect(v.failure?.code).toBe(code);
  expect(v.checks.filter((c) => c.outcome === 'failed')).toHaveLength(1);
  expect(v.checks.find((c) => c.outcome === 'failed')?.rule).toBe(rule);
}

const ALL_RULES = Array.from({ length: 17 }, (_, i) => `J${i + 1}`);

describe('validateIdToken: a genuine token', () => {
  it.each([
    ['RS256', rs],
    ['ES256', es],
  ])('accepts a %s ID token, lists every check and extracts the identity', async (_alg, mint) => {
    const v = await validate(mint());
    expect(v.failure).toBeUndefined();
    expect(v.valid).toBe(true);
    for (const r of ALL_RULES) expect(v.checks.map((c) => c.rule)).toContain(r);
    expect(v.checks.every((c) => c.outcome !== 'failed')).toBe(true);
    expect(v.identity).toMatchObject({
      issuer: JP,
      country: 'JP',
      sub: 'pairwise-sub-abc',
      acr: LOA.substantial,
      family_name: 'Yamada',
      eidas_person_identifier: 'JP/JP/abc',
    });
  });

  it('accepts a token without nonce when none is expected, and a higher acr than requested', async () => {
    const { nonce: _n, ...rest } = claims({ acr: LOA.high });
    const v = await validate(rs(rest), { issuer: JP, audience: RP, requestedLoa: LOA.substantial });
    expect(v.valid).toBe(true);
    expect(v.checks.find((c) => c.rule === 'J11')?.outcome).toBe('skipped');
  });

  it('refuses an issuer that is not a registered node', async () => {
    const v = await validate(rs(claims({ iss: 'http://evil.example' })), {
      ...EXPECTED,
      issuer: 'http://evil.example',
    });
    expectRejected(v, 'issuer-registered', 'jwt-issuer-unknown');
  });
});

describe('validateIdToken: the J-series attacks', () => {
  it('J1: alg none in any casing, and a stripped signature', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE'])
      expectRejected(await validate(forge({ alg, typ: 'JWT' }, claims(), 'none')), 'J1', 'jwt-alg-none');
    const stripped = `${rs().split('.').slice(0, 2).join('.')}.`;
    expectRejected(await validate(stripped), 'J1', 'jwt-alg-none');
  });

  it('J2: HS256 keyed with the issuer public key (key confusion), with and without kid', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expectRejected(
      await validate(forge({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' }, claims(), pem)),
      'J2',
      'jwt-key-confusion',
    );
    expectRejected(await validate(forge({ alg: 'HS256', typ: 'JWT' }, claims(), pem)), 'J2', 'jwt-key-confusion');
  });

  it('J3: algorithm substitution (RS256 naming the ES256 key, PS256 with the RS256 key, RS512)', async () => {
    expectRejected(
      await validate(forge({ alg: 'RS256', kid: 'ec-1', typ: 'JWT' }, claims(), rsa.privateKey)),
      'J3',
      'jwt-alg-mismatch',
    );
    expectRejected(await validate(forge({ alg: 'PS256', kid: 'rsa-1', typ: 'JWT' }, claims(), rsa.privateKey)), 'J3');
    expectRejected(await validate(forge({ alg: 'ES256', kid: 'rsa-1', typ: 'JWT' }, claims(), ec.privateKey)), 'J3');
    expectRejected(await validate(forge({ alg: 'RS512', kid: 'rsa-1', typ: 'JWT' }, claims(), rsa.privateKey)), 'J3');
  });

  it('J4: a key embedded in the header (jwk)', async () => {
    const jwk = await exportJWK(attacker.publicKey);
    const t = forge({ alg: 'RS256', typ: 'JWT', jwk }, claims(), attacker.privateKey);
    expectRejected(await validate(t), 'J4', 'jwt-embedded-key');
  });

  it('J5: jku and x5u pointing at attacker keys are refused, never fetched', async () => {
    let fetched = false;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (() => {
      fetched = true;
      throw new Error('no fetch');
    }) as typeof fetch;
    for (const h of [{ jku: 'https://evil.example/jwks' }, { x5u: 'https://evil.example/cert.pem' }])
      expectRejected(
        await validate(forge({ alg: 'RS256', kid: 'att', typ: 'JWT', ...h }, claims(), attacker.privateKey)),
        'J5',
        'jwt-remote-key-reference',
      );
    globalThis.fetch = realFetch;
    expect(fetched).toBe(false);
  });

  it('J6: kid injection is an unknown kid (a lookup in a fixed map)', async () => {
    for (const kid of ['../../dev/null', "' OR 1=1 --", '', 'rsa-1\u0000', '__proto__', 'constructor'])
      expectRejected(
        await validate(forge({ alg: 'RS256', kid, typ: 'JWT' }, claims(), attacker.privateKey)),
        'J6',
        'jwt-unknown-kid',
      );
    // No kid while the issuer publishes two keys (OIDC Core §10.1).
    expectRejected(await validate(forge({ alg: 'RS256', typ: 'JWT' }, claims(), rsa.privateKey)), 'J6');
  });

  it('J7: an x5c header that is not the registered chain (self-signed), or a key whose chain does not validate', async () => {
    const selfSigned = Buffer.from('self-signed certificate of an attacker').toString('base64');
    expectRejected(await validate(rs(claims(), { x5c: [selfSigned] })), 'J7', 'jwt-untrusted-x5c');
    // The registered chain itself is accepted in the header.
    expect((await validate(rs(claims(), { x5c: REGISTERED_X5C }))).valid).toBe(true);
    // The issuer's JWKS key whose chain does not validate against the trust fabric (e.g. revoked).
    (issuers[JP]?.keys.get('rsa-1') as IssuerKey).certificate = { valid: false, reason: 'cert-revoked' };
    expectRejected(await validate(rs(claims({ nonce: 'other' }), {}), { ...EXPECTED, nonce: 'other' }), 'J7');
  });

  it('J8: expired, not yet valid, issued in the future, absurd lifetime, too old for max_age (skew 60 s)', async () => {
    expectRejected(await validate(rs(claims({ exp: now() - 61, iat: now() - 400 }))), 'J8', 'jwt-time-invalid');
    expect(
      (await validate(rs(claims({ exp: now() - 30, iat: now() - 330, nonce: 'x' })), { ...EXPECTED, nonce: 'x' }))
        .valid,
    ).toBe(true);
    expectRejected(await validate(rs(claims({ nbf: now() + 120 }))), 'J8');
    expectRejected(await validate(rs(claims({ iat: now() + 120, exp: now() + 420 }))), 'J8');
    expectRejected(await validate(rs(claims({ exp: now() + 2 * 86_400 }))), 'J8');
    expectRejected(await validate(rs(claims({ auth_time: now() - 3600 })), { ...EXPECTED, maxAgeSeconds: 600 }), 'J8');
  });

  it('J9: wrong aud, an extra audience without azp, azp not the client', async () => {
    expectRejected(await validate(rs(claims({ aud: 'another-rp', azp: 'another-rp' }))), 'J9', 'jwt-audience-invalid');
    const { azp: _a, ...noAzp } = claims({ aud: [RP, 'untrusted-rp'] });
    expectRejected(await validate(rs(noAzp)), 'J9');
    expectRejected(await validate(rs(claims({ aud: [RP, 'untrusted-rp'], azp: 'untrusted-rp' }))), 'J9');
    expectRejected(await validate(rs(claims({ azp: 'untrusted-rp' }))), 'J9');
  });

  it("J10: another node's iss; a key certified for another country; another node's key claiming JP", async () => {
    expectRejected(
      await validate(forge({ alg: 'RS256', kid: 'de-rsa', typ: 'JWT' }, claims({ iss: DE }), deRsa.privateKey)),
      'J10',
      'jwt-issuer-invalid',
    );
    // JP's JWKS serving a key whose certificate names DE: keys are bound to their issuer.
    issuers[JP] = {
      issuer: JP,
      country: 'JP',
      keys: new Map([['de-rsa', DE_KEYS[0] as IssuerKey]]),
    };
    const t = forge({ alg: 'RS256', kid: 'de-rsa', typ: 'JWT' }, claims(), deRsa.privateKey);
    expectRejected(await validate(t), 'J10', 'jwt-issuer-invalid');
  });

  it("J10: DE's key claiming iss JP finds no JP key (refused)", async () => {
    const t = forge({ alg: 'RS256', kid: 'de-rsa', typ: 'JWT' }, claims(), deRsa.privateKey);
    const v = await validate(t);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe('J6');
  });

  it('J11: nonce mismatch, nonce replay, jti replay, remembered in the store (restart) until exp', async () => {
    expectRejected(await validate(rs(claims({ nonce: 'attacker-nonce' }))), 'J11', 'jwt-replay');
    const { nonce: _n, ...noNonce } = claims();
    expectRejected(await validate(rs(noNonce)), 'J11');
    const token = rs();
    expect((await validate(token)).valid).toBe(true);
    expectRejected(await validate(token), 'J11', 'jwt-replay');
    // A restart: a new cache on the same store still remembers.
    replay = createStoreReplayCache(store, clock);
    expectRejected(await validate(es()), 'J11');
    // jti replay (two tokens, different nonces, same jti).
    const e2 = { issuer: JP, audience: RP };
    expect((await validate(rs(claims({ jti: 'j-1', nonce: 'a' })), e2)).valid).toBe(true);
    expectRejected(await validate(rs(claims({ jti: 'j-1', nonce: 'b' })), e2), 'J11');
    // Purged after exp (+ skew): the table no longer holds it.
    expect(store.all('SELECT * FROM jwt_replay').length).toBeGreaterThan(0);
    clock.advance(400_000);
    expect(replay.seen(JP, 'x')).toBe(false);
    expect(store.all('SELECT * FROM jwt_replay')).toHaveLength(0);
  });

  it('J12: access tokens, logout tokens and missing typ are not ID tokens', async () => {
    expectRejected(await validate(rs(claims(), { typ: 'at+jwt' })), 'J12', 'jwt-type-invalid');
    expectRejected(await validate(rs(claims(), { typ: 'logout+jwt' })), 'J12');
    expectRejected(
      await validate(rs(claims({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }))),
      'J12',
    );
    const t = forge({ alg: 'RS256', kid: 'rsa-1' }, claims(), rsa.privateKey);
    expectRejected(await validate(t), 'J12');
  });

  it('J13: an unknown crit header', async () => {
    expectRejected(await validate(rs(claims(), { crit: ['exp'], exp: 1 })), 'J13', 'jwt-unknown-crit');
    expectRejected(await validate(rs(claims(), { crit: ['b64'], b64: true })), 'J13');
  });

  it('J14: ECDSA r = s = 0 (psychic signature)', async () => {
    const input = `${b64({ alg: 'ES256', kid: 'ec-1', typ: 'JWT' })}.${b64(claims())}`;
    const t = `${input}.${Buffer.alloc(64).toString('base64url')}`;
    expectRejected(await validate(t), 'J14', 'jwt-signature-invalid');
  });

  it('J15: tampered payload, padding, +/ characters, trailing bits, duplicate JSON members', async () => {
    const [h, p, s] = rs().split('.') as [string, string, string];
    const tampered = b64(claims({ acr: LOA.high }));
    expectRejected(await validate(`${h}.${tampered}.${s}`), 'J15', 'jwt-signature-invalid');
    expectRejected(await validate(`${h}.${p}=.${s}`), 'J15', 'jwt-malformed');
    expectRejected(await validate(`${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}x+/`), 'J15', 'jwt-malformed');
    expectRejected(await validate(`${h}.${p.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}x.${s}`), 'J15');
    // Trailing bits: a payload whose base64url length leaves spare bits in the last character.
    let payload = claims();
    for (let i = 0; b64(payload).length % 4 === 0; i++) payload = claims({ pad: 'x'.repeat(i) });
    const enc = b64(payload);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(enc.at(-1) as string);
    const variant = `${enc.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(enc, 'base64url'))).toBe(true);
    const t2 = rs(payload);
    expect((await validate(t2)).valid).toBe(true);
    const [h2, , s2] = t2.split('.');
    expectRejected(await validate(`${h2}.${variant}.${s2}`), 'J15', 'jwt-malformed');
    // Duplicate members in the payload and in the header (JSON.parse would keep the last).
    const dupPayload = JSON.stringify(claims()).replace(/}$/, `,"acr":"${LOA.high}"}`);
    expectRejected(
      await validate(forge({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' }, b64(dupPayload), rsa.privateKey)),
      'J15',
    );
    const dupHeader = '{"alg":"RS256","kid":"rsa-1","typ":"JWT","alg":"none"}';
    expectRejected(await validate(forge(b64(dupHeader) as never, claims(), rsa.privateKey)), 'J15');
    // Not three segments (JWE, or garbage).
    expectRejected(await validate('a.b.c.d.e'), 'J15');
  });

  it('J16: acr below the requested level (LoA downgrade), or no acr', async () => {
    const v = await validate(rs(claims({ acr: LOA.low })), { ...EXPECTED, requestedLoa: LOA.substantial });
    expectRejected(v, 'J16', 'jwt-loa-insufficient');
    const { acr: _a, ...noAcr } = claims();
    expectRejected(await validate(rs(noAcr), { ...EXPECTED, requestedLoa: LOA.low }), 'J16');
  });

  it('J17: HMAC with a weak shared secret is refused across borders', async () => {
    for (const alg of ['HS256', 'HS384', 'HS512', 'hs256'])
      expectRejected(await validate(forge({ alg, typ: 'JWT' }, claims(), 'secret')), 'J17', 'jwt-symmetric-alg');
  });
});

describe('strict parsing helpers', () => {
  it('finds duplicate members at any depth, not inside strings', () => {
    expect(findDuplicateKey('{"a":1,"b":{"c":1,"c":2}}')).toBe('c');
    expect(findDuplicateKey('{"a":"\\"a\\":","b":[{"a":1},{"a":2}]}')).toBeUndefined();
    expect(findDuplicateKey('{"a\\u0062":1,"ab":2}')).toBe('ab');
  });
  it('parses a canonical token', () => {
    const r = parseCompactJwt(rs());
    expect(r.ok && r.jwt.header.alg).toBe('RS256');
  });
  it('decodes base64url only in its one canonical form', () => {
    expect(decodeBase64UrlStrict('')?.length).toBe(0);
    expect(decodeBase64UrlStrict('-_8')?.toString('hex')).toBe('fbff');
    expect(decodeBase64UrlStrict('AQID')?.toString('hex')).toBe('010203');
    // Padding, the standard alphabet, whitespace, a 4n+1 length and spare bits set: each refused.
    for (const bad of ['AQ==', 'AQ=', '+/8', 'AQ ID', ' AQID', 'AQIDB', 'AR', 'AQJ', 'A.Q', 'AQ%3D'])
      expect(decodeBase64UrlStrict(bad), bad).toBeUndefined();
  });
  it('decodes a header once per distinct segment: shared, frozen, refused every time when bad', () => {
    const [a, b] = [parseCompactJwt(rs()), parseCompactJwt(rs({ ...claims(), nonce: 'other' }))];
    if (!a.ok || !b.ok) throw new Error('expected parsed tokens');
    expect(b.jwt.header).toBe(a.jwt.header);
    expect(Object.isFrozen(a.jwt.header)).toBe(true);
    expect(b.jwt.payload).not.toBe(a.jwt.payload);
    const dup = `${Buffer.from('{"alg":"RS256","alg":"none"}').toString('base64url')}.e30.`;
    for (let i = 0; i < 2; i++)
      expect(parseCompactJwt(dup)).toMatchObject({ ok: false, reason: /repeats the member "alg"/ });
  });
  it('refuses a payload with a duplicate member exactly when the full scan finds one (names counted first)', () => {
    const texts = [
      '{"a":1,"b":{"c":1,"c":2}}',
      '{"a":"\\"a\\":","b":[{"a":1},{"a":2}]}',
      '{"a\\u0062":1,"ab":2}',
      '{ "a" : 1 , "a"\t:\n2 }',
      '{"a":["x",":",{"b":"\\\\"},{"b":1,"c":{"b":[]}}],"s":"\\":\\"","__proto__":{"a":1}}',
      '{"__proto__":1,"__proto__":2}',
      '{"":1,"x":{"":2,"":3}}',
      '{"k":"v\\\\","k2":"\\"k\\":"}',
    ];
    const enc = (t: string) => Buffer.from(t).toString('base64url');
    for (const text of texts) {
      const dup = findDuplicateKey(text);
      const r = parseCompactJwt(`${enc('{"alg":"RS256"}')}.${enc(text)}.`);
      if (dup === undefined) expect(r.ok, text).toBe(true);
      else
        expect(r, text).toMatchObject({ ok: false, reason: `The payload repeats the member ${JSON.stringify(dup)}.` });
    }
    expect(texts.filter((t) => findDuplicateKey(t) !== undefined)).toHaveLength(5);
  });
});

describe('key resolution failures', () => {
  it('names the issuer rule with jwt-issuer-keys-unavailable when the JWKS cannot be fetched', async () => {
    const v = await validateIdToken(rs(), EXPECTED, {
      ...ctx(),
      resolveKeys: async () => {
        throw new Error('GET /oidc/jwks answered 503');
      },
    });
    expectRejected(v, 'issuer-registered', 'jwt-issuer-keys-unavailable');
  });
});

describe('issuer key resolution: a new kid refetches the JWKS, rate-limited', () => {
  it('refetches once for an unknown kid, not more than every JWKS_MIN_REFETCH_SECONDS', async () => {
    const clock = new VirtualClock();
    clock.freeze(new Date('2026-06-01T00:00:00Z'));
    let served = [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1', alg: 'ES256' }];
    let calls = 0;
    const fetcher = (async () => {
      calls++;
      return new Response(JSON.stringify({ keys: served }), { headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    const resolve = createIssuerKeyResolver({
      clock,
      resolveIssuer: () => ({ country: 'EE', jwksUri: 'https://ee.example/oidc/jwks' }),
      validateCertificate: () => ({ valid: false, checks: [] }),
    })(fetcher);
    expect((await resolve('https://ee.example', 'k1'))?.keys.has('k1')).toBe(true);
    expect(calls).toBe(1);
    served = [...served, { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k2', alg: 'ES256' }];
    // Within the rate limit: the cached set answers (k2 unknown yet).
    expect((await resolve('https://ee.example', 'k2'))?.keys.has('k2')).toBe(false);
    expect(calls).toBe(1);
    clock.advance((JWKS_MIN_REFETCH_SECONDS + 1) * 1000);
    expect((await resolve('https://ee.example', 'k2'))?.keys.has('k2')).toBe(true);
    expect(calls).toBe(2);
    // A known kid never refetches while the cache is fresh; a made-up kid at most once per interval.
    await resolve('https://ee.example', 'k1');
    await resolve('https://ee.example', 'nope');
    await resolve('https://ee.example', 'nope-2');
    expect(calls).toBe(2);
  });
});

describe('replay cache in the store', () => {
  it('forgets an entry once it expires, purging expired rows at most every REPLAY_PURGE_INTERVAL_SECONDS', () => {
    const clock = new VirtualClock();
    clock.freeze(new Date('2026-06-01T00:00:00Z'));
    const store = openStore({ name: 'replay-test' });
    const cache = createStoreReplayCache(store, clock);
    const t = Math.floor(clock.nowMs() / 1000);
    expect(cache.seen('iss', 'k')).toBe(false);
    cache.remember('iss', 'k', t + 10);
    expect(cache.seen('iss', 'k')).toBe(true);
    clock.advance(11_000);
    // Expired: not seen any more, although the row is only purged on the next interval (written behind: flushed).
    expect(cache.seen('iss', 'k')).toBe(false);
    store.flushPending();
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM jwt_replay')?.n).toBe(1);
    clock.advance(REPLAY_PURGE_INTERVAL_SECONDS * 1000);
    cache.seen('iss', 'other');
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM jwt_replay')?.n).toBe(0);
  });
});
