import { beforeAll, describe, expect, it } from 'vitest';
import { createCrl } from '../src/crl/create-crl.ts';
import { parseCrl } from '../src/crl/parse-crl.ts';
import { signedBy } from '../src/path/certificate-links.ts';
import { validateCertificatePath } from '../src/path/validate-path.ts';
import { inspectCertificate } from '../src/pki/inspect-certificate.ts';
import type { TrustMaterial } from '../src/pki/types.ts';
import { AT, material } from './fixtures.ts';

let de: TrustMaterial['countries'][string];
beforeAll(() => {
  de = material().countries.DE!;
});

const pemOf = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;

describe('signatures checked once per certificate and issuer (issue 15)', () => {
  it('a link checked before answers the same; an altered certificate of the same issuer is still refused', () => {
    const opts = { intermediates: [de.issuingCa.certPem], anchors: [{ certificate: de.rootCa.certPem }], at: AT };
    expect(validateCertificatePath(de.signing.certPem, opts).valid).toBe(true);
    expect(validateCertificatePath(de.signing.certPem, opts).valid).toBe(true);
    const der = Buffer.from(de.signing.certificate.raw);
    der[der.length - 5] = (der[der.length - 5] as number) ^ 0xff;
    const altered = validateCertificatePath(pemOf(der), opts);
    expect(altered.failure?.code).toBe('cert-signature-invalid');
    expect(validateCertificatePath(pemOf(der), opts).failure?.code).toBe('cert-signature-invalid');
    expect(validateCertificatePath(de.signing.certPem, opts).valid).toBe(true);
    // The pair, not the certificate alone: the same certificate under another issuer is its own question.
    const leaf = inspectCertificate(de.signing.certPem);
    expect(signedBy(leaf, inspectCertificate(de.issuingCa.certPem))).toBe(true);
    expect(signedBy(leaf, inspectCertificate(de.rootCa.certPem))).toBe(false);
    expect(signedBy(leaf, inspectCertificate(de.issuingCa.certPem))).toBe(true);
  });

  it('a CRL verifies once per issuer certificate, and a forged CRL never does', () => {
    const genuine = parseCrl(
      createCrl(
        { certificate: de.issuingCa.certificate, privateKey: de.issuingCa.privateKey },
        [],
        new Date('2026-05-01Z'),
        new Date('2026-07-01Z'),
        2,
      ),
    );
    const forged = parseCrl(
      createCrl(
        { certificate: de.issuingCa.certificate, privateKey: de.signing.privateKey },
        [],
        new Date('2026-05-01Z'),
        new Date('2026-07-01Z'),
        3,
      ),
    );
    for (let i = 0; i < 2; i++) {
      expect(genuine.verify(de.issuingCa.certPem)).toBe(true);
      expect(forged.verify(de.issuingCa.certPem)).toBe(false);
      expect(genuine.verify(de.rootCa.certPem)).toBe(false);
    }
  });
});
