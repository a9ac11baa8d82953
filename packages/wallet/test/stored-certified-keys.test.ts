import { generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { issueCertificate } from '@kakehashi/trust';
import { beforeAll, describe, expect, it, vi } from 'vitest';

type KeyModule = typeof import('../src/issuer/pid-issuer-key.ts');
/** The key module as a new process loads it: no key certified or offered yet. */
async function freshProcess(): Promise<KeyModule> {
  vi.resetModules();
  return import('../src/issuer/pid-issuer-key.ts');
}

function testCa(cn: string): { certPem: string; privateKey: KeyObject } {
  const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { certPem } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'EE' },
        { type: 'CN', value: cn },
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
  return { certPem, privateKey: ca.privateKey };
}

/** A certificate of `publicKey` by `ca` with another serial: valid, but not the one certifying would make. */
function otherCertificate(ca: { certPem: string; privateKey: KeyObject }, publicKey: KeyObject): string {
  return issueCertificate(
    {
      subject: [{ type: 'CN', value: 'Stored PID Provider (TEST)' }],
      serialHex: '7777',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      basicConstraints: { cA: false },
      keyUsage: ['digitalSignature'],
    },
    publicKey,
    { certificate: new X509Certificate(ca.certPem), privateKey: ca.privateKey },
  ).certPem;
}

let caA: ReturnType<typeof testCa>;
let caB: ReturnType<typeof testCa>;
const opts = (ca: ReturnType<typeof testCa>) => ({
  seed: 'stored-keys',
  country: 'EE',
  issuingCa: { certPem: ca.certPem, chainPem: [], privateKey: ca.privateKey },
  signingCertPem: ca.certPem,
});
beforeAll(() => {
  caA = testCa('Issuing CA A');
  caB = testCa('Issuing CA B');
});

describe('certified wallet keys kept between starts (the trust material cache)', () => {
  it('a start takes the stored key and certificate instead of certifying again', async () => {
    const first = await freshProcess();
    const made = first.pidIssuerKey(opts(caA));
    const stored = first.certifiedKeysToStore('stored-keys');
    expect(stored).toHaveLength(1);
    expect(first.certifiedKeysToStore('another seed')).toEqual([]);

    // A stored certificate that checks out is taken as it is (here one with another serial, to tell it apart).
    const next = await freshProcess();
    const entry = stored[0] as (typeof stored)[number];
    const certPem = otherCertificate(caA, made.publicKey);
    next.offerStoredCertifiedKeys([{ ...entry, certPem }]);
    const taken = next.pidIssuerKey(opts(caA));
    expect(taken.certPem).toBe(certPem);
    expect(taken.publicJwk).toEqual(made.publicJwk);
    expect(taken.privateKey.export({ format: 'jwk' })).toEqual(made.privateKey.export({ format: 'jwk' }));
    expect(taken.x5c[0]).toBe(new X509Certificate(certPem).raw.toString('base64'));
    expect(taken.x5c[1]).toBe(made.x5c[1]);
    expect(next.certifiedKeysToStore('stored-keys').map((k) => k.id)).toEqual([entry.id]);
  });

  it('is certified anew when the stored certificate is not the issuing CA’s, or not of the stored scalar', async () => {
    const first = await freshProcess();
    const made = first.pidIssuerKey(opts(caA));
    const entry = first.certifiedKeysToStore('stored-keys')[0] as ReturnType<KeyModule['certifiedKeysToStore']>[number];

    const forged = await freshProcess();
    forged.offerStoredCertifiedKeys([{ ...entry, certPem: otherCertificate(caB, made.publicKey) }]);
    expect(forged.pidIssuerKey(opts(caA)).certPem).toBe(made.certPem);

    // A scalar that is not the certified key's: the point computed from it is not the certificate's.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const wrongScalar = await freshProcess();
    wrongScalar.offerStoredCertifiedKeys([{ ...entry, d: other.d as string }]);
    const retaken = wrongScalar.pidIssuerKey(opts(caA));
    expect(retaken.certPem).toBe(made.certPem);
    expect(retaken.privateKey.export({ format: 'jwk' })).toEqual(made.privateKey.export({ format: 'jwk' }));

    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const swapped = await freshProcess();
    swapped.offerStoredCertifiedKeys([{ ...entry, certPem: otherCertificate(caA, otherKey) }]);
    expect(swapped.pidIssuerKey(opts(caA)).certPem).toBe(made.certPem);
  });

  it('is not found once the trust material changed (another issuing CA): the key is certified by the new one', async () => {
    const first = await freshProcess();
    first.pidIssuerKey(opts(caA));
    const stored = first.certifiedKeysToStore('stored-keys');

    const next = await freshProcess();
    next.offerStoredCertifiedKeys(stored);
    const key = next.pidIssuerKey(opts(caB));
    const cert = new X509Certificate(key.certPem);
    expect(cert.checkIssued(new X509Certificate(caB.certPem))).toBe(true);
    expect(cert.verify(new X509Certificate(caB.certPem).publicKey)).toBe(true);
    expect(next.certifiedKeysToStore('stored-keys').map((k) => k.id)).not.toEqual(stored.map((k) => k.id));
  });
});
