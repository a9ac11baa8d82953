import { type createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isKakehashiError } from '@kakehashi/core';
import { issueCertificate } from '@kakehashi/trust';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyRegistration } from '../src/registry/verify-registration.ts';
import type { HubTrust } from '../src/trust/hub-trust.ts';

/** A self-signed certificate for country C around the test's instant (the trust double below decides trust). */
function certificate(country: string): { pem: string; key: ReturnType<typeof createPrivateKey> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { certPem } = issueCertificate(
    {
      subject: [
        { type: 'C', value: country },
        { type: 'CN', value: 'node' },
      ],
      serialHex: `01${randomBytes(8).toString('hex')}`,
      notBefore: new Date('2026-05-31T00:00:00Z'),
      notAfter: new Date('2026-06-03T00:00:00Z'),
    },
    publicKey,
    { selfSigningKey: privateKey },
  );
  return { pem: certPem, key: privateKey };
}

/** A HubTrust double whose path validation accepts exactly one certificate. */
function trustAccepting(pem: string, country: string): HubTrust {
  return {
    countries: () => ['DE', 'JP'],
    validateCertificate: (cert: string) =>
      cert === pem
        ? { valid: true, country, serialHex: '01', checks: [] }
        : { valid: false, failure: { code: 'cert-untrusted-root', reason: 'not ours' }, checks: [] },
  } as unknown as HubTrust;
}

const metadata = (country: string, iat: number) => ({
  country,
  name: 'n',
  url: 'http://127.0.0.1:7002',
  iat,
  endpoints: {
    health: 'http://127.0.0.1:7002/health',
    openapi: 'http://127.0.0.1:7002/o',
    docs: 'http://127.0.0.1:7002/d',
    personas: 'http://127.0.0.1:7002/p',
  },
  capabilities: [],
  services: [],
  participants: [],
  certificates: { signing: 's', tls: 't', encryption: 'e' },
});

const sign = (payload: unknown, key: ReturnType<typeof createPrivateKey>, pem: string, alg = 'RS256') =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg, x5c: [pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')] })
    .sign(key);

describe('verifyRegistration', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const de = certificate('DE');
  const ctx = { trust: trustAccepting(de.pem, 'DE'), nowMs: now, maxAgeSeconds: 300, skewSeconds: 60 };
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'accepted';
    } catch (e) {
      return isKakehashiError(e) ? e.code : `unexpected ${String(e)}`;
    }
  };

  it("accepts signed, fresh metadata whose country is the certificate's, listing every check", async () => {
    const v = await verifyRegistration(await sign(metadata('DE', now / 1000), de.key, de.pem), ctx);
    expect(v.metadata.country).toBe('DE');
    expect(v.checks.map((c) => c.rule)).toEqual([
      'jws-format',
      'certificate-path',
      'jws-signature',
      'metadata-schema',
      'endpoint-origin',
      'country-binding',
      'metadata-fresh',
    ]);
    expect(v.checks.every((c) => c.outcome === 'passed')).toBe(true);
  });

  it('names the failed rule for each kind of bad registration', async () => {
    const other = certificate('DE');
    expect(await code(verifyRegistration('a.b', ctx))).toBe('registration-unsigned');
    expect(await code(verifyRegistration(await sign(metadata('DE', now / 1000), other.key, other.pem), ctx))).toBe(
      'registration-cert-invalid',
    );
    expect(await code(verifyRegistration(await sign(metadata('JP', now / 1000), de.key, de.pem), ctx))).toBe(
      'registration-country-mismatch',
    );
    expect(await code(verifyRegistration(await sign(metadata('FR', now / 1000), de.key, de.pem), ctx))).toBe(
      'unknown-country',
    );
    expect(await code(verifyRegistration(await sign(metadata('DE', now / 1000 - 400), de.key, de.pem), ctx))).toBe(
      'registration-stale',
    );
    expect(await code(verifyRegistration(await sign(metadata('DE', now / 1000 + 120), de.key, de.pem), ctx))).toBe(
      'registration-stale',
    );
    expect(await code(verifyRegistration(await sign({ country: 'DE' }, de.key, de.pem), ctx))).toBe(
      'validation-failed',
    );
    // A valid JWS from the right key, but signed with an algorithm outside the allow-list.
    expect(await code(verifyRegistration(await sign(metadata('DE', now / 1000), de.key, de.pem, 'RS512'), ctx))).toBe(
      'registration-signature-invalid',
    );
    // The signature of another key under our certificate.
    const forged = (await sign(metadata('DE', now / 1000), other.key, de.pem)) as string;
    expect(await code(verifyRegistration(forged, ctx))).toBe('registration-signature-invalid');
  });

  it("refuses URLs that are not http(s) on the node's own origin, naming the rule", async () => {
    const base = metadata('DE', now / 1000);
    const refusal = async (m: unknown) => {
      try {
        await verifyRegistration(await sign(m, de.key, de.pem), ctx);
        return 'accepted';
      } catch (e) {
        return isKakehashiError(e) ? `${e.code} ${e.rule}` : `unexpected ${String(e)}`;
      }
    };
    const refused = 'registration-endpoint-invalid endpoint-origin';
    const withHealth = (health: string) => ({ ...base, endpoints: { ...base.endpoints, health } });
    expect(await refusal(withHealth('file:///etc/passwd'))).toBe(refused);
    expect(await refusal(withHealth('http://169.254.169.254/latest/meta-data/'))).toBe(refused);
    expect(await refusal(withHealth('http://127.0.0.1:7003/health'))).toBe(refused); // another port
    expect(await refusal(withHealth('https://127.0.0.1:7002/health'))).toBe(refused); // another scheme
    expect(await refusal(withHealth('http://user:pw@127.0.0.1:7002/health'))).toBe(refused);
    expect(await refusal({ ...base, endpoints: { ...base.endpoints, as4: 'gopher://127.0.0.1:7002/as4' } })).toBe(
      refused,
    );
    const service = { id: 's', name: 's', block: 'eid', endpoint: 'http://10.0.0.1/services/s' };
    expect(await refusal({ ...base, services: [service] })).toBe(refused);
    // The origin itself: http(s), bare, routable.
    const at = (url: string) => ({
      ...base,
      url,
      endpoints: Object.fromEntries(Object.entries(base.endpoints).map(([k, v]) => [k, v.replace(base.url, url)])),
    });
    expect(await refusal(at('ftp://127.0.0.1:7002'))).toBe(refused);
    expect(await refusal(at('http://169.254.169.254'))).toBe(refused);
    expect(await refusal(at('http://[fe80::1]:7002'))).toBe(refused);
    expect(await refusal(at('http://[::ffff:169.254.169.254]'))).toBe(refused);
    expect(await refusal(at('http://0.0.0.0:7002'))).toBe(refused);
    expect(await refusal({ ...at('http://127.0.0.1:7002/prefix'), endpoints: base.endpoints })).toBe(refused);
    // A public origin (publicUrl, a container, a proxy): url and endpoints share it, with its service endpoints.
    const pub = at('https://de.kakehashi.example');
    expect(await refusal({ ...pub, services: [{ ...service, endpoint: `${pub.url}/services/s` }] })).toBe('accepted');
    expect(await refusal(at('http://de:7002'))).toBe('accepted');
    expect(await refusal(at('http://[::1]:7002'))).toBe('accepted');
  });

  it('refuses a header whose alg is no string, however deeply nested (found by kakehashi fuzz: was a 500)', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const deep = `${'['.repeat(50_000)}"RS256"${']'.repeat(50_000)}`;
    for (const alg of [deep, '{"a":1}', '5', 'null']) {
      const token = `${b64(`{"alg":${alg},"x5c":["AAAA"]}`)}.${b64(JSON.stringify(metadata('DE', now / 1000)))}.c2ln`;
      let err: unknown;
      try {
        await verifyRegistration(token, ctx);
      } catch (e) {
        err = e;
      }
      expect(isKakehashiError(err) && err.code, alg.slice(0, 20)).toBe('registration-signature-invalid');
      expect(isKakehashiError(err) && err.message).toMatch(/Algorithm (is not a string|"5")/);
    }
  });
});
