import { generateKeyPairSync } from 'node:crypto';
import { crlUrl, issueCertificate, OID, TEST_ONLY_OU, UNDERSTOOD_CRITICAL_EXTENSIONS } from '@kakehashi/trust';
import { describe, expect, it } from 'vitest';
import { signDocument } from '../src/sign/sign-document.ts';
import { validateSignature } from '../src/validate/validate-signature.ts';
import { frozenClock, HUB_URL, material, T0, trustView } from './fixtures.ts';

/**
 * Attack C10 has one list of understood critical extensions, the trust package's: the eSignature validation
 * refuses exactly the critical extensions that the trust package's path validation does not understand. If esig
 * kept a list of its own that differs, one of these certificates would be refused by one validator and not the other.
 */
const CANDIDATES = [
  { name: 'certificatePolicies', oid: OID.certificatePolicies, der: '3006300406022a03' },
  { name: 'subjectAltName', oid: OID.subjectAltName, der: '300b82096b616b656861736869' },
  { name: 'nameConstraints', oid: '2.5.29.30', der: '300fa00d300b82096b616b656861736869' },
  { name: 'policyConstraints', oid: '2.5.29.36', der: '3003800100' },
  { name: 'inhibitAnyPolicy', oid: '2.5.29.54', der: '020100' },
  { name: 'a private extension', oid: '1.3.6.1.4.1.55555.1.1', der: '0c096b616b656861736869' },
];

describe('C10: one list of understood critical extensions for path validation and signature validation', () => {
  const m = material();
  const ca = m.countries.AT!.issuingCa;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signerWith = (oid: string, der: string, serialHex: string) =>
    issueCertificate(
      {
        subject: [
          { type: 'C', value: 'AT' },
          { type: 'O', value: 'C10 test' },
          { type: 'OU', value: TEST_ONLY_OU },
          { type: 'CN', value: `critical ${oid}` },
        ],
        serialHex,
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2029-12-31T00:00:00Z'),
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        crlDistributionPoint: crlUrl(HUB_URL, ca.name),
        extraExtensions: [{ oid, critical: true, valueDer: Buffer.from(der, 'hex') }],
      },
      publicKey,
      { certificate: ca.certificate, privateKey: ca.privateKey },
    ).certPem;

  it('the candidates cover both sides of the list', () => {
    expect(CANDIDATES.some((c) => UNDERSTOOD_CRITICAL_EXTENSIONS.has(c.oid))).toBe(true);
    expect(CANDIDATES.some((c) => !UNDERSTOOD_CRITICAL_EXTENSIONS.has(c.oid))).toBe(true);
  });

  it.each(CANDIDATES.map((c, i) => ({ ...c, serialHex: `c10${i.toString(16).padStart(2, '0')}` })))(
    'critical $name: esig refuses it exactly when trust path validation does',
    async ({ oid, der, serialHex }) => {
      const certPem = signerWith(oid, der, serialHex);
      const chainPem = [ca.certPem, ...ca.chainPem];
      const clock = frozenClock(T0);
      const { ctx, store } = trustView({ clock });

      const path = store.validate(certPem, { intermediates: chainPem, at: T0 });
      const trustRefuses = path.checks.some((c) => c.check === 'critical-extensions' && c.outcome === 'failed');

      const signed = await signDocument({
        format: 'xades',
        level: 'B-B',
        packaging: 'enveloped',
        credential: { certPem, chainPem, privateKey },
        content: Buffer.from('<Order xmlns="urn:kakehashi:test"><Amount>100</Amount></Order>'),
        clock,
      });
      const report = await validateSignature({ signature: signed.signature }, ctx);
      const xcv = report.buildingBlocks.find((b) => b.id === 'XCV');
      const esigRefuses = !!xcv?.checks.some((c) => c.check === 'critical extensions' && c.outcome === 'failed');

      expect(esigRefuses).toBe(trustRefuses);
      expect(trustRefuses).toBe(!UNDERSTOOD_CRITICAL_EXTENSIONS.has(oid));
      if (esigRefuses) {
        expect([report.indication, report.subIndicationName]).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
        expect(path.failure?.code).toBe('cert-unknown-critical-extension');
      } else {
        expect(report.indication).toBe('TOTAL-PASSED');
        expect(path.valid).toBe(true);
      }
    },
  );
});
