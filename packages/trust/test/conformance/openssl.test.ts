import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrl } from '../../src/crl/create-crl.ts';
import { crlToPem } from '../../src/crl/parse-crl.ts';
import { listKeyCerts } from '../../src/pki/generate-material.ts';
import { issueCertificate, TEST_ONLY_OU } from '../../src/pki/issue-certificate.ts';
import { issueJpkiCertificates } from '../../src/pki/issue-jpki-certificates.ts';
import type { TrustMaterial } from '../../src/pki/types.ts';
import { AT, hasTool, material, opensslText, run, tempDir, writeFiles } from '../fixtures.ts';

/** The trust material, its CRLs and its certificates as openssl (an independent implementation) reads them. */
let m: TrustMaterial;
beforeAll(() => {
  m = material();
});

const thisUpdate = new Date('2026-05-01T00:00:00Z');
const nextUpdate = new Date('2026-07-01T00:00:00Z');

describe('createCrl: openssl', () => {
  it.runIf(hasTool('openssl'))(
    'is accepted by openssl crl, and openssl verify -crl_check rejects the revoked leaf only',
    () => {
      const de = m.countries.DE!;
      const leafCrl = createCrl(
        de.issuingCa,
        [{ serialHex: de.tls.serialHex, revokedAt: new Date('2026-04-01T00:00:00Z'), reason: 'keyCompromise' }],
        thisUpdate,
        nextUpdate,
        7,
      );
      const rootCrl = createCrl(de.rootCa, [], thisUpdate, nextUpdate, 7);
      const dir = tempDir();
      const f = writeFiles(dir, {
        'issuing.crl': leafCrl,
        'crls.pem': crlToPem(leafCrl) + crlToPem(rootCrl),
        'root.pem': de.rootCa.certPem,
        'issuing.pem': de.issuingCa.certPem,
        'tls.pem': de.tls.certPem,
        'signing.pem': de.signing.certPem,
      });
      const text = run('openssl', ['crl', '-inform', 'DER', '-in', f['issuing.crl']!, '-noout', '-text']);
      expect(text.status).toBe(0);
      expect(text.output).toContain('Version 2 (0x1)');
      expect(text.output).toContain(`Serial Number: ${de.tls.serialHex.toUpperCase()}`);
      expect(text.output).toMatch(/CRL Reason Code:\s+Key Compromise/);
      expect(text.output).toMatch(/X509v3 CRL Number:\s+7/);
      const at = String(AT.getTime() / 1000);
      const verify = (leaf: string) =>
        run('openssl', [
          'verify',
          '-attime',
          at,
          '-crl_check_all',
          '-CRLfile',
          f['crls.pem']!,
          '-CAfile',
          f['root.pem']!,
          '-untrusted',
          f['issuing.pem']!,
          leaf,
        ]);
      const revoked = verify(f['tls.pem']!);
      expect(revoked.status).not.toBe(0);
      expect(revoked.output).toContain('certificate revoked');
      const fine = verify(f['signing.pem']!);
      expect(fine.output).toContain(': OK');
      expect(fine.status).toBe(0);
    },
  );
});

describe('generateTrustMaterial: openssl', () => {
  it.runIf(hasTool('openssl'))('openssl reads the extensions and verifies every chain', () => {
    const de = m.countries.DE!;
    const text = opensslText(de.rootCa.certPem);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const tls = opensslText(de.tls.certPem);
    expect(tls).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(tls).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1/);
    expect(tls).toMatch(/URI:http:\/\/127\.0\.0\.1:7000\/trust\/crl\/DE-issuing-ca\.crl/);
    expect(opensslText(de.signing.certPem)).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(opensslText(de.encryption.certPem)).toMatch(/Key Usage: critical\s+Key Encipherment, Data Encipherment/);
    const dir = tempDir();
    for (const k of listKeyCerts(m).filter((x) => x.chainPem.length === 2)) {
      const f = writeFiles(dir, { 'leaf.pem': k.certPem, 'issuing.pem': k.chainPem[0]!, 'root.pem': k.chainPem[1]! });
      const r = run('openssl', [
        'verify',
        '-attime',
        String(AT.getTime() / 1000),
        '-CAfile',
        f['root.pem']!,
        '-untrusted',
        f['issuing.pem']!,
        f['leaf.pem']!,
      ]);
      expect(r.output, k.name).toContain(': OK');
      expect(r.status).toBe(0);
    }
  });
});

describe('issueJpkiCertificates: openssl', () => {
  it.runIf(hasTool('openssl'))('openssl reads the basic items as otherName in the signature certificate', () => {
    const a = issueJpkiCertificates(m, {
      id: 'jp-0001',
      name: '山田 花子',
      sex: '2',
      dateOfBirth: '19900115',
      address: '東京都千代田区霞が関1-1',
    });
    expect(opensslText(a.signature.certPem)).toContain('othername: 1.2.392.200149.8.5.5.1');
  });
});

describe('OCSP in the trust material (RFC 6960): openssl', () => {
  it.runIf(hasTool('openssl'))('openssl reads the AIA OCSP URL, the OCSP signing EKU and ocsp-nocheck', () => {
    const de = m.countries.DE!;
    expect(opensslText(de.agencies.bva!.certPem)).toMatch(
      /Authority Information Access:\s*\n\s*OCSP - URI:http:\/\/127\.0\.0\.1:7000\/trust\/ocsp\/DE-issuing-ca/,
    );
    const signer = opensslText(de.ocspSigner.certPem);
    expect(signer).toMatch(/Extended Key Usage:\s*\n\s*OCSP Signing/);
    expect(signer).toContain('OCSP No Check');
  });

  it.runIf(hasTool('openssl'))('openssl shows an extra extension verbatim, with its criticality', () => {
    const de = m.countries.DE!;
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'DE' },
          { type: 'O', value: 'Extension test' },
          { type: 'OU', value: TEST_ONLY_OU },
          { type: 'CN', value: 'extension test critical' },
        ],
        serialHex: '7e01',
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2029-12-31T00:00:00Z'),
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        // a private-arc OID nobody understands, value a DER UTF8String "kakehashi"
        extraExtensions: [
          { oid: '1.3.6.1.4.1.55555.1.1', critical: true, valueDer: Buffer.from('0c096b616b656861736869', 'hex') },
        ],
      },
      publicKey,
      { certificate: de.issuingCa.certificate, privateKey: de.issuingCa.privateKey },
    );
    expect(opensslText(cert.certPem)).toMatch(/1\.3\.6\.1\.4\.1\.55555\.1\.1: critical\s*\n\s*\.\.kakehashi/);
  });
});
