import { generateKeyPairSync } from 'node:crypto';
import { generatePersonas } from '@kakehashi/personas';
import { issueCertificate } from '@kakehashi/trust';
import { DcqlQuery } from 'dcql';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshEcKey } from '../src/crypto/ec-key.ts';
import { HolderWallet, type PresentationRequest } from '../src/holder/holder-wallet.ts';
import { es256Signer, issuePidSdJwt } from '../src/issuer/issue-sd-jwt.ts';
import { pidClaimsOf } from '../src/issuer/pid-claims.ts';
import { type PidIssuerKey, pidIssuerKey } from '../src/issuer/pid-issuer-key.ts';
import { createStatusRegistry, statusListToken } from '../src/issuer/status-list.ts';
import { checkStatus } from '../src/verifier/check-status.ts';
import { DEFAULT_PID_QUERY } from '../src/verifier/routes.ts';
import type { PresentationVerdict } from '../src/verifier/rules.ts';
import {
  type ExpectedPresentation,
  type VerifyContext,
  verifyPresentation,
} from '../src/verifier/verify-presentation.ts';

/**
 * The W rules one by one, without a federation: a PID issued with a key certified by a throw-away CA, the trust
 * view and the registry stubbed (the e2e test covers them for real), the clock moved per test.
 */
const ISSUER = 'https://ee.example';
const CLIENT = 'redirect_uri:https://verifier.example/response';
const T0 = new Date('2026-06-01T00:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

let credential: string;
let wallet: HolderWallet;
let key: PidIssuerKey;
const STATUS_URI = `${ISSUER}/wallet/issuer/status-lists/1`;
const statuses = createStatusRegistry();
let statusIdx = 0;
/** The issuer's status list endpoint, as the verifier's fetch reaches it. */
const statusFetch = (async (url: string) =>
  url === STATUS_URI
    ? new Response(await statusListToken({ uri: STATUS_URI, key, list: statuses.list(), now: T0 }))
    : new Response('not found', { status: 404 })) as typeof fetch;
const request: PresentationRequest = {
  client_id: CLIENT,
  response_type: 'vp_token',
  response_mode: 'direct_post',
  response_uri: 'https://verifier.example/response',
  nonce: 'n-0S6_WzA2Mj',
  state: 's-1',
  dcql_query: DEFAULT_PID_QUERY,
};
const query = DcqlQuery.parse(DEFAULT_PID_QUERY as never);
const expected: ExpectedPresentation = {
  nonce: request.nonce,
  clientId: CLIENT,
  dcql: { query, credentialQueryId: 'pid' },
};
const ctx = (at: Date, over: Partial<VerifyContext> = {}): VerifyContext => ({
  clock: { now: () => at } as VerifyContext['clock'],
  validateCertificate: () => ({ valid: true, checks: [], country: 'EE', anchor: 'test CA' }),
  resolveIssuer: async (iss) => (iss === ISSUER ? { country: 'EE' } : undefined),
  fetcher: statusFetch,
  skewSeconds: 60,
  kbMaxAgeSeconds: 300,
  ...over,
});
const failed = (v: PresentationVerdict) => (v.valid ? 'valid' : `${v.failure?.rule} ${v.failure?.code}`);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

beforeAll(async () => {
  const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { certPem } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'EE' },
        { type: 'CN', value: 'Test issuing CA' },
      ],
      serialHex: '01',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      basicConstraints: { cA: true, pathLen: 0 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    },
    ca.publicKey,
    { selfSigningKey: ca.privateKey },
  );
  key = pidIssuerKey({
    seed: 'unit',
    country: 'EE',
    issuingCa: { certPem, chainPem: [], privateKey: ca.privateKey },
    signingCertPem: certPem,
  });
  const device = freshEcKey();
  const persona = generatePersonas('unit', 'EE', 1)[0];
  if (!persona) throw new Error('no persona');
  statusIdx = statuses.allocate();
  credential = await issuePidSdJwt({
    issuer: ISSUER,
    key,
    holderJwk: device.publicJwk,
    claims: pidClaimsOf(persona, T0, new Date(T0.getTime() + 365 * 86_400_000)),
    now: T0,
    expires: new Date(T0.getTime() + 365 * 86_400_000),
    status: { idx: statusIdx, uri: STATUS_URI },
  });
  const d = device.privateKey.export({ format: 'jwk' }).d as string;
  wallet = HolderWallet.restore(
    {
      deviceKey: { ...device.publicJwk, d },
      credentials: [{ format: 'dc+sd-jwt', credentialIssuer: ISSUER, vct: 'urn:eudi:pid:1', credential }],
    },
    { fetch, clock: { now: () => T0 } },
  );
});

const present = async () => (await wallet.createPresentation(request)).presentation;

describe('the presentation verdict, rule by rule', () => {
  it('accepts the presentation as the wallet made it, every rule passed, only the asked claims disclosed', async () => {
    const v = await verifyPresentation(await present(), expected, ctx(T0));
    expect(failed(v)).toBe('valid');
    expect(v.checks.filter((c) => c.outcome === 'passed')).toHaveLength(15);
    expect(Object.keys(v.credential?.claims ?? {}).sort()).toEqual(['birthdate', 'family_name', 'given_name']);
  });

  it('W1: a typ other than dc+sd-jwt', async () => {
    const [jwt, ...rest] = (await present()).split('~');
    const [h, p, s] = (jwt as string).split('.') as [string, string, string];
    const header = { ...JSON.parse(Buffer.from(h, 'base64url').toString()), typ: 'JWT' };
    expect(failed(await verifyPresentation([`${b64(header)}.${p}.${s}`, ...rest].join('~'), expected, ctx(T0)))).toBe(
      'W1 vp-malformed',
    );
  });

  it('W2: a chain the trust view refuses', async () => {
    const refuse = () => ({
      valid: false,
      checks: [],
      failure: { code: 'cert-untrusted-root' as never, reason: 'no anchor' },
    });
    expect(failed(await verifyPresentation(await present(), expected, ctx(T0, { validateCertificate: refuse })))).toBe(
      'W2 vp-issuer-untrusted',
    );
  });

  it("W3: an iss registered for another country than the certificate's", async () => {
    const v = await verifyPresentation(
      await present(),
      expected,
      ctx(T0, { resolveIssuer: async () => ({ country: 'DE' }) }),
    );
    expect(failed(v)).toBe('W3 vp-issuer-unknown');
  });

  it('W4: a payload changed after signing', async () => {
    const [jwt, ...rest] = (await present()).split('~');
    const [h, p, s] = (jwt as string).split('.') as [string, string, string];
    const payload = { ...JSON.parse(Buffer.from(p, 'base64url').toString()), exp: 4_102_444_800 };
    expect(failed(await verifyPresentation([`${h}.${b64(payload)}.${s}`, ...rest].join('~'), expected, ctx(T0)))).toBe(
      'W4 vp-issuer-signature-invalid',
    );
  });

  it('W5: a credential past its exp', async () => {
    const later = new Date(T0.getTime() + 400 * 86_400_000);
    const late = HolderWallet.restore(wallet.exportState(), { fetch, clock: { now: () => later } });
    const { presentation } = await late.createPresentation(request);
    expect(failed(await verifyPresentation(presentation, expected, ctx(later)))).toBe('W5 vp-credential-expired');
  });

  it('W5: a credential issued in the future (the issuer clock ahead, or a forged iat)', async () => {
    const v = await verifyPresentation(await present(), expected, ctx(minutes(-60)));
    expect(failed(v)).toBe('W5 vp-credential-expired');
    expect(v.failure?.reason).toContain('in the future');
  });

  it('W6: a vct the verifier did not ask for', async () => {
    const v = await verifyPresentation(await present(), { ...expected, vctValues: ['urn:eudi:other:1'] }, ctx(T0));
    expect(failed(v)).toBe('W6 vp-vct-invalid');
  });

  it('W7: a disclosure of a claim that is never disclosable (iss)', async () => {
    const parts = (await present()).split('~');
    parts.splice(1, 0, b64(['salt', 'iss', 'https://evil.example']));
    expect(failed(await verifyPresentation(parts.join('~'), expected, ctx(T0)))).toBe('W7 vp-disclosure-invalid');
  });

  it('W7: a disclosure presented twice, one referenced by no digest, a digest the credential repeats (re-signed)', async () => {
    const parts = (await present()).split('~');
    const twice = [...parts];
    twice.splice(1, 0, parts[1] as string);
    expect(failed(await verifyPresentation(twice.join('~'), expected, ctx(T0)))).toBe('W7 vp-disclosure-invalid');
    const foreign = [...parts];
    foreign.splice(1, 0, b64(['salt', 'family_name', 'Mallory']));
    expect(failed(await verifyPresentation(foreign.join('~'), expected, ctx(T0)))).toBe('W7 vp-disclosure-invalid');
    const [h, p] = (parts[0] as string).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { _sd: string[] };
    for (const sd of [[...payload._sd, payload._sd[0] as string], payload._sd]) {
      const body = b64({ ...payload, _sd: sd });
      const signature = es256Signer(key.privateKey)(`${h}.${body}`);
      const v = await verifyPresentation([`${h}.${body}.${signature}`, ...parts.slice(1)].join('~'), expected, ctx(T0));
      // Re-signed with the same _sd the presentation passes W7 (and fails only at sd_hash, the KB-JWT's hash).
      expect(failed(v)).toBe(sd === payload._sd ? 'W13 vp-sd-hash-mismatch' : 'W7 vp-disclosure-invalid');
    }
  });

  it('W12: a key binding older than five minutes (replayed later)', async () => {
    expect(failed(await verifyPresentation(await present(), expected, ctx(minutes(10))))).toBe(
      'W12 vp-key-binding-stale',
    );
  });

  it('W13: a disclosure dropped after the key binding was made', async () => {
    const parts = (await present()).split('~');
    parts.splice(1, 1);
    expect(failed(await verifyPresentation(parts.join('~'), expected, ctx(T0)))).toBe('W13 vp-sd-hash-mismatch');
  });

  it('W14: a query asking for a claim the presentation does not disclose', async () => {
    const ask = DcqlQuery.parse({
      credentials: [
        { id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] }, claims: [{ path: ['email'] }] },
      ],
    } as never);
    const v = await verifyPresentation(
      await present(),
      { ...expected, dcql: { query: ask, credentialQueryId: 'pid' } },
      ctx(T0),
    );
    expect(failed(v)).toBe('W14 vp-query-unmet');
  });

  it('reports every rule: the ones after a failure as skipped', async () => {
    const v = await verifyPresentation(await present(), { ...expected, nonce: 'other' }, ctx(T0));
    expect(v.checks.map((c) => `${c.rule}:${c.outcome}`)).toEqual([
      'W1:passed',
      'W2:passed',
      'W3:passed',
      'W4:passed',
      'W5:passed',
      'W6:passed',
      'W7:passed',
      'W8:passed',
      'W9:passed',
      'W10:failed',
      'W11:skipped',
      'W12:skipped',
      'W13:skipped',
      'W14:skipped',
      'W15:skipped',
    ]);
  });
  it('W15: a revoked or suspended credential, then valid again', async () => {
    statuses.set(statusIdx, 1);
    expect(failed(await verifyPresentation(await present(), expected, ctx(T0)))).toBe('W15 vp-credential-revoked');
    statuses.set(statusIdx, 2);
    const v = await verifyPresentation(await present(), expected, ctx(T0));
    expect(v.failure?.reason).toContain('suspended');
    statuses.set(statusIdx, 0);
    expect(failed(await verifyPresentation(await present(), expected, ctx(T0)))).toBe('valid');
  });

  it('W15: a status list that cannot be fetched, or signed by another key, leaves the status unknown: refused', async () => {
    const down = (async () => new Response('down', { status: 503 })) as unknown as typeof fetch;
    expect(failed(await verifyPresentation(await present(), expected, ctx(T0, { fetcher: down })))).toBe(
      'W15 vp-credential-revoked',
    );
    const other = pidIssuerKey({
      seed: 'another',
      country: 'EE',
      issuingCa: key as never,
      signingCertPem: key.certPem,
    });
    const forged = (async () =>
      new Response(
        await statusListToken({ uri: STATUS_URI, key: other, list: statuses.list(), now: T0 }),
      )) as unknown as typeof fetch;
    const v = await verifyPresentation(await present(), expected, ctx(T0, { fetcher: forged }));
    expect(failed(v)).toBe('W15 vp-credential-revoked');
    expect(v.failure?.reason).toContain("signed by the credential's own certificate");
  });
  it('a weak node: lenient.wallet.disclosures and lenient.wallet.untrusted-issuer let their defects through, reported', async () => {
    const weak = (name: string) => ({ fire: (n: string) => n === name });
    const parts = (await present()).split('~');
    parts.splice(1, 0, b64(['salt', 'family_name', 'Mallory']));
    const v = await verifyPresentation(
      parts.join('~'),
      expected,
      ctx(T0, { faults: weak('lenient.wallet.disclosures') }),
    );
    expect(v.checks.find((c) => c.rule === 'W7')).toMatchObject({
      outcome: 'skipped',
      fault: 'lenient.wallet.disclosures',
    });
    // the disclosure was added after the key binding was made: sd_hash (strict) still catches it
    expect(v.failure?.rule).toBe('W13');
    const refuse = () => ({
      valid: false,
      checks: [],
      failure: { code: 'cert-untrusted-root' as never, reason: 'no anchor' },
    });
    const u = await verifyPresentation(
      await present(),
      expected,
      ctx(T0, { validateCertificate: refuse, faults: weak('lenient.wallet.untrusted-issuer') }),
    );
    expect(u.valid).toBe(true);
    expect(u.checks.find((c) => c.rule === 'W2')).toMatchObject({
      outcome: 'skipped',
      fault: 'lenient.wallet.untrusted-issuer',
    });
  });
});

describe('W15: a status list token verified once is kept by its text (issue 15)', () => {
  const serving = (token: string) => (async () => new Response(token)) as unknown as typeof fetch;
  const status = (over: Partial<Parameters<typeof checkStatus>[0]> = {}) =>
    checkStatus({
      payload: { status: { status_list: { idx: statusIdx, uri: STATUS_URI } } },
      issuer: ISSUER,
      leaf: key.publicKey,
      x5cLeaf: key.x5c[0] as string,
      nowS: Math.floor(T0.getTime() / 1000),
      skewSeconds: 60,
      fetcher: serving(''),
      ...over,
    });

  it('the same token served again still answers; a new token (the list changed) is verified and read anew', async () => {
    const valid = await statusListToken({ uri: STATUS_URI, key, list: statuses.list(), now: T0 });
    for (let i = 0; i < 2; i++)
      expect(failed(await verifyPresentation(await present(), expected, ctx(T0, { fetcher: serving(valid) })))).toBe(
        'valid',
      );
    statuses.set(statusIdx, 1);
    try {
      const revoked = await statusListToken({ uri: STATUS_URI, key, list: statuses.list(), now: T0 });
      expect(failed(await verifyPresentation(await present(), expected, ctx(T0, { fetcher: serving(revoked) })))).toBe(
        'W15 vp-credential-revoked',
      );
      // The kept token is the issuer's word at its time: served again, it still says valid.
      expect(await status({ fetcher: serving(valid) })).toBeUndefined();
    } finally {
      statuses.set(statusIdx, 0);
    }
  });

  it('a kept token expires: once the clock passes its exp it is refused though its signature was verified', async () => {
    const token = await statusListToken({ uri: STATUS_URI, key, list: statuses.list(), now: T0 });
    expect(await status({ fetcher: serving(token) })).toBeUndefined();
    // exp is iat + 600 s; with 60 s of skew it is stale after 11 minutes
    const later = await status({ fetcher: serving(token), nowS: Math.floor(minutes(12).getTime() / 1000) });
    expect(later).toContain('not a current statuslist+jwt');
  });

  it('a kept token answers only for the certificate that signed it and for the URI it names', async () => {
    const token = await statusListToken({ uri: STATUS_URI, key, list: statuses.list(), now: T0 });
    expect(await status({ fetcher: serving(token) })).toBeUndefined();
    const other = pidIssuerKey({
      seed: 'another',
      country: 'EE',
      issuingCa: key as never,
      signingCertPem: key.certPem,
    });
    expect(await status({ fetcher: serving(token), leaf: other.publicKey, x5cLeaf: other.x5c[0] as string })).toContain(
      "signed by the credential's own certificate",
    );
    // nor for another key given with that certificate: the token is verified again, with that key
    expect(await status({ fetcher: serving(token), leaf: other.publicKey })).toContain(
      "signed by the credential's own certificate",
    );
    const elsewhere = `${ISSUER}/wallet/issuer/status-lists/2`;
    expect(
      await status({
        fetcher: serving(token),
        payload: { status: { status_list: { idx: statusIdx, uri: elsewhere } } },
      }),
    ).toContain('not a current statuslist+jwt');
  });
});
