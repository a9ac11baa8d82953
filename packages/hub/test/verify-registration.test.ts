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
  endpoints: { health: 'http://a/health', openapi: 'http://a/o', docs: 'http://a/d', personas: 'http://a/p' },
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
});
