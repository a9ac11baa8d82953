import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../src/asn1/der.ts';
import { validateCertificatePath } from '../src/path/validate-path.ts';
import { listCertificateAuthorities, listKeyCerts, ocspSignerFor, ocspUrl } from '../src/pki/generate-material.ts';
import { inspectCertificate } from '../src/pki/inspect-certificate.ts';
import { issueCertificate, TEST_ONLY_OU } from '../src/pki/issue-certificate.ts';
import type { TrustMaterial } from '../src/pki/types.ts';
import { AT, HUB_URL, material } from './fixtures.ts';

let m: TrustMaterial;
beforeAll(() => {
  m = material();
});

describe('OCSP in the trust material (RFC 6960)', () => {
  it('every issuing CA has a delegated OCSP signer it issued: EKU id-kp-OCSPSigning, ocsp-nocheck; roots sign themselves', () => {
    const issuing = listCertificateAuthorities(m).filter((ca) => ca.issuerName !== null);
    expect(issuing.map((c) => c.name).sort()).toEqual([
      'DE-issuing-ca',
      'JP-issuing-ca',
      'JP-jpki-ca',
      'hub-issuing-ca',
    ]);
    for (const ca of issuing) {
      const signer = ocspSignerFor(m, ca.name);
      expect(signer, ca.name).toBeDefined();
      const f = inspectCertificate(signer!.certPem);
      expect(signer!.issuerName).toBe(ca.name);
      expect(signer!.certificate.verify(ca.certificate.publicKey)).toBe(true);
      expect(f.extKeyUsage).toEqual([OID.ocspSigning]);
      expect(f.ocspNoCheck).toBe(true);
      expect(f.basicConstraints?.cA).toBe(false);
      expect(f.ocspUrls).toEqual([]); // a responder with nocheck is not itself asked about
    }
    for (const root of listCertificateAuthorities(m).filter((ca) => ca.issuerName === null))
      expect(ocspSignerFor(m, root.name)).toBeUndefined();
    expect(ocspSignerFor(m, 'DE-issuing-ca')?.name).toBe('DE-ocsp');
    expect(ocspSignerFor(m, 'JP-jpki-ca')?.name).toBe('JP-jpki-ocsp');
  });

  it('every issued certificate names its CA OCSP responder on the hub in authorityInfoAccess, next to the CRL DP', () => {
    for (const k of listKeyCerts(m)) {
      const f = inspectCertificate(k.certPem);
      if (k.issuerName === null || f.ocspNoCheck) {
        expect(f.ocspUrls, k.name).toEqual([]);
        continue;
      }
      expect(f.ocspUrls, k.name).toEqual([`${HUB_URL}/trust/ocsp/${k.issuerName}`]);
      expect(f.ocspUrls[0]).toBe(ocspUrl(`${HUB_URL}/`, k.issuerName));
      expect(f.crlDistributionPoints).toEqual([`${HUB_URL}/trust/crl/${k.issuerName}.crl`]);
    }
  });
});

describe('issueCertificate extraExtensions (TEST ONLY) and unrecognised critical extensions', () => {
  const de = () => m.countries.DE!;
  const issueWith = (critical: boolean) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return issueCertificate(
      {
        subject: [
          { type: 'C', value: 'DE' },
          { type: 'O', value: 'Extension test' },
          { type: 'OU', value: TEST_ONLY_OU },
          { type: 'CN', value: `extension test ${critical ? 'critical' : 'non-critical'}` },
        ],
        serialHex: critical ? '7e01' : '7e02',
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2029-12-31T00:00:00Z'),
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        // a private-arc OID nobody understands, value a DER UTF8String "kakehashi"
        extraExtensions: [
          { oid: '1.3.6.1.4.1.55555.1.1', critical, valueDer: Buffer.from('0c096b616b656861736869', 'hex') },
        ],
      },
      publicKey,
      { certificate: de().issuingCa.certificate, privateKey: de().issuingCa.privateKey },
    );
  };

  it('puts the extension in the certificate verbatim, with its criticality', () => {
    const crit = inspectCertificate(issueWith(true).certPem);
    expect(crit.criticalExtensions).toContain('1.3.6.1.4.1.55555.1.1');
    const plain = inspectCertificate(issueWith(false).certPem);
    expect(plain.criticalExtensions).not.toContain('1.3.6.1.4.1.55555.1.1');
  });

  it('path validation rejects an unrecognised critical extension (cert-unknown-critical-extension); non-critical passes', () => {
    const anchors = [m.countries.DE!.rootCa.certPem];
    const intermediates = [m.countries.DE!.issuingCa.certPem];
    const bad = validateCertificatePath(issueWith(true).certPem, { anchors, intermediates, at: AT });
    expect(bad.valid).toBe(false);
    expect(bad.failure?.code).toBe('cert-unknown-critical-extension');
    expect(bad.failure?.reason).toContain('1.3.6.1.4.1.55555.1.1');
    expect(bad.failure?.rule).toContain('RFC 5280 §4.2');
    const ok = validateCertificatePath(issueWith(false).certPem, { anchors, intermediates, at: AT });
    expect(ok.valid).toBe(true);
    expect(ok.checks.filter((c) => c.check === 'critical-extensions').every((c) => c.outcome === 'passed')).toBe(true);
  });
});
