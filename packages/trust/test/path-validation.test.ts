import { SeededRandom, VirtualClock } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrl } from '../src/crl/create-crl.ts';
import { parseCrl } from '../src/crl/parse-crl.ts';
import { validateCertificatePath } from '../src/path/validate-path.ts';
import type { PathValidationResult } from '../src/path/z-path.ts';
import { generateRsaKeyPair } from '../src/pki/generate-rsa-key.ts';
import { type DnAttribute, issueCertificate, TEST_ONLY_OU } from '../src/pki/issue-certificate.ts';
import { issueJpkiCertificates } from '../src/pki/issue-jpki-certificates.ts';
import type { KeyCert, TrustMaterial } from '../src/pki/types.ts';
import { TrustStore } from '../src/store/trust-store.ts';
import { buildLotl } from '../src/tl/build-lotl.ts';
import { buildTrustedList } from '../src/tl/build-trusted-list.ts';
import { verifyLotl, verifyTrustedList } from '../src/tl/verify-trusted-list.ts';
import { AT, material } from './fixtures.ts';

let m: TrustMaterial;
let de: TrustMaterial['countries'][string];
beforeAll(() => {
  m = material();
  de = m.countries.DE!;
});

const deOrg = 'Germany national node (Kakehashi)';
const dn = (cn: string, org = deOrg, c = 'DE'): DnAttribute[] => [
  { type: 'C', value: c },
  { type: 'O', value: org },
  { type: 'OU', value: TEST_ONLY_OU },
  { type: 'CN', value: cn },
];
const validity = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };
const keyFor = (label: string) => generateRsaKeyPair(new SeededRandom('path-validation-test', label));

/** Issues a test certificate under `issuer` (a KeyCert) or self-signed. */
function issue(
  label: string,
  subject: DnAttribute[],
  issuer: Pick<KeyCert, 'certificate' | 'privateKey'> | null,
  extra: Record<string, unknown> = {},
) {
  const keys = keyFor(label);
  const { certPem, certificate } = issueCertificate(
    { subject, serialHex: Buffer.from(label).toString('hex').slice(0, 30), ...validity, ...extra },
    keys.publicKey,
    issuer ? issuer : { selfSigningKey: keys.privateKey },
  );
  return { certPem, certificate, privateKey: keys.privateKey };
}

const expectFailure = (r: PathValidationResult, code: string) => {
  expect(r.valid).toBe(false);
  expect(r.failure?.code).toBe(code);
  const failed = r.checks.find((c) => c.outcome === 'failed');
  expect(failed?.code).toBe(code);
  return r.failure!.reason;
};

describe('validateCertificatePath', () => {
  it('accepts a valid chain and reports every check', () => {
    const r = validateCertificatePath(de.signing.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem, source: 'test' }],
      at: AT,
      requiredKeyUsage: ['digitalSignature', 'nonRepudiation'],
    });
    expect(r.valid).toBe(true);
    expect(r.failure).toBeUndefined();
    expect(r.chain.map((c) => c.label)).toEqual([
      'Kakehashi DE node signing (TEST)',
      'Kakehashi DE Issuing CA (TEST)',
      'Kakehashi DE Root CA (TEST)',
    ]);
    expect(r.chain[2]!.isAnchor).toBe(true);
    expect(r.chain[0]!.serial).toBe(de.signing.serialHex);
    const kinds = new Set(r.checks.map((c) => c.check));
    for (const k of [
      'chain',
      'trust-anchor',
      'algorithm',
      'signature',
      'validity',
      'basic-constraints',
      'path-length',
      'key-usage',
      'revocation',
    ]) {
      expect(kinds.has(k as never), k).toBe(true);
    }
    expect(r.checks.every((c) => c.outcome === 'passed' && c.rule.length > 0)).toBe(true);
    expect(r.checks.find((c) => c.check === 'revocation')?.skipped).toBe(true);
    // a bare certificate is accepted as an anchor too
    expect(
      validateCertificatePath(de.signing.certificate, {
        intermediates: [de.issuingCa.certificate],
        anchors: [de.rootCa.certPem],
        at: AT,
      }).valid,
    ).toBe(true);
  });

  it('expired: clock advanced past notAfter → cert-expired naming the certificate and date', () => {
    const r = validateCertificatePath(de.signing.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: new Date('2030-06-01T00:00:00Z'),
    });
    const reason = expectFailure(r, 'cert-expired');
    expect(reason).toContain('Kakehashi DE node signing (TEST)');
    expect(reason).toContain('2030-01-01T00:00:00.000Z');
  });

  it('not yet valid → cert-not-yet-valid', () => {
    const r = validateCertificatePath(de.signing.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: new Date('2024-06-01T00:00:00Z'),
    });
    expect(expectFailure(r, 'cert-not-yet-valid')).toContain('not valid before 2025-01-01T00:00:00.000Z');
  });

  it('revoked via CRL → cert-revoked; stale, forged or missing CRLs → cert-revocation-unknown when required', () => {
    const revokedAt = new Date('2026-04-01T00:00:00Z');
    const crl = parseCrl(
      createCrl(
        de.issuingCa,
        [{ serialHex: de.tls.serialHex, revokedAt, reason: 'keyCompromise' }],
        new Date('2026-05-01Z'),
        new Date('2026-07-01Z'),
        2,
      ),
    );
    const rootCrl = parseCrl(createCrl(de.rootCa, [], new Date('2026-05-01Z'), new Date('2026-07-01Z'), 2));
    const opts = {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      crls: [crl, rootCrl],
      requireRevocationInfo: true,
    };
    const r = validateCertificatePath(de.tls.certPem, { ...opts, at: AT });
    const reason = expectFailure(r, 'cert-revoked');
    expect(reason).toContain('localhost');
    expect(reason).toContain('2026-04-01T00:00:00.000Z');
    expect(reason).toContain('keyCompromise');
    // another certificate from the same CA is fine, the revocation check is reported as passed
    const ok = validateCertificatePath(de.signing.certPem, { ...opts, at: AT });
    expect(ok.valid).toBe(true);
    expect(ok.checks.filter((c) => c.check === 'revocation' && !c.skipped)).toHaveLength(2); // leaf and issuing CA
    // a lookup function works too (by issuer name)
    const viaLookup = validateCertificatePath(de.tls.certPem, {
      ...opts,
      at: AT,
      crls: (issuerName) => (issuerName === de.issuingCa.certificate.subject ? crl : undefined),
      requireRevocationInfo: false,
    });
    expect(viaLookup.failure?.code).toBe('cert-revoked');
    // the CRL has to be current: outside thisUpdate..nextUpdate it is stale → unknown
    const stale = validateCertificatePath(de.signing.certPem, { ...opts, at: new Date('2026-08-01T00:00:00Z') });
    expect(expectFailure(stale, 'cert-revocation-unknown')).toContain('stale');
    // a CRL signed by another key is ignored
    const forged = parseCrl(
      createCrl(
        { certificate: de.issuingCa.certificate, privateKey: de.signing.privateKey },
        [],
        new Date('2026-05-01Z'),
        new Date('2026-07-01Z'),
        3,
      ),
    );
    const withForged = validateCertificatePath(de.tls.certPem, { ...opts, crls: [forged, rootCrl], at: AT });
    expect(expectFailure(withForged, 'cert-revocation-unknown')).toContain('does not verify');
    // and without any CRL but required → unknown
    expectFailure(
      validateCertificatePath(de.signing.certPem, { ...opts, crls: [], at: AT }),
      'cert-revocation-unknown',
    );
  });

  it('time travel: a stale CRL is a failure even when revocation information is not required, never a silent pass', () => {
    const crl = parseCrl(createCrl(de.issuingCa, [], new Date('2026-05-01Z'), new Date('2026-07-01Z'), 2));
    const rootCrl = parseCrl(createCrl(de.rootCa, [], new Date('2026-05-01Z'), new Date('2026-07-01Z'), 2));
    const opts = {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      crls: [crl, rootCrl],
    };
    const later = new Date('2026-08-01T00:00:00Z');
    const stale = validateCertificatePath(de.signing.certPem, { ...opts, at: later });
    expect(stale.valid).toBe(false);
    const reason = expectFailure(stale, 'cert-revocation-unknown');
    expect(reason).toContain('due to be replaced at 2026-07-01T00:00:00.000Z');
    expect(reason).toContain('POST /admin/trust/refresh');
    expect(stale.checks.some((c) => c.check === 'revocation' && c.skipped)).toBe(false);
    // A weak node may let it through on purpose: a skipped check that says so, asked only when a CRL is stale.
    let asked = 0;
    const weak = validateCertificatePath(de.signing.certPem, {
      ...opts,
      at: later,
      acceptStaleCrl: () => ++asked > 0,
    });
    expect(weak.valid).toBe(true);
    expect(weak.checks.find((c) => c.check === 'revocation' && c.skipped)?.reason).toContain('accepted on purpose');
    validateCertificatePath(de.signing.certPem, { ...opts, at: AT, acceptStaleCrl: () => ++asked > 0 });
    expect(asked).toBe(2); // leaf and issuing CA at the later time; never at AT, when the CRLs are current
    // Without any CRL and not required, the check stays a skipped one (nothing was supplied to go stale).
    const none = validateCertificatePath(de.signing.certPem, { ...opts, crls: [], at: later });
    expect(none.valid).toBe(true);
    // A revocation on a stale CRL, dated before the validation time, still counts (a revocation is final).
    const withRevocation = parseCrl(
      createCrl(
        de.issuingCa,
        [{ serialHex: de.signing.serialHex, revokedAt: new Date('2026-04-01Z') }],
        new Date('2026-05-01Z'),
        new Date('2026-07-01Z'),
        3,
      ),
    );
    const revoked = validateCertificatePath(de.signing.certPem, {
      ...opts,
      crls: [withRevocation, rootCrl],
      at: later,
    });
    expect(revoked.failure?.code).toBe('cert-revoked');
    // A CRL issued after a past validation time still answers for it: a revocation after that time does not count.
    const past = validateCertificatePath(de.signing.certPem, {
      ...opts,
      crls: [withRevocation, rootCrl],
      at: new Date('2026-03-01T00:00:00Z'),
    });
    expect(past.checks.filter((c) => c.check === 'revocation').every((c) => c.outcome === 'passed' && !c.skipped)).toBe(
      true,
    );
  });

  it('untrusted root → cert-untrusted-root', () => {
    const r = validateCertificatePath(de.signing.certPem, {
      intermediates: [de.issuingCa.certPem, de.rootCa.certPem],
      anchors: [{ certificate: m.countries.JP!.rootCa.certPem }],
      at: AT,
    });
    expect(expectFailure(r, 'cert-untrusted-root')).toContain('is not a trust anchor');
  });

  it('look-alike root (same DN, other key) → cert-untrusted-root, however the chain is presented', () => {
    const fakeRoot = issue('fake-root', dn('Kakehashi DE Root CA (TEST)'), null, {
      basicConstraints: { cA: true, pathLen: 1 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const fakeIssuing = issue('fake-issuing', dn('Kakehashi DE Issuing CA (TEST)'), fakeRoot, {
      basicConstraints: { cA: true, pathLen: 0 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const fakeLeaf = issue('fake-leaf', dn('Kakehashi DE node signing (TEST)'), fakeIssuing, {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    });
    expect(fakeRoot.certificate.subject).toBe(de.rootCa.certificate.subject);
    const anchors = [{ certificate: de.rootCa.certPem, source: 'TL DE' }];
    const full = validateCertificatePath(fakeLeaf.certPem, {
      intermediates: [fakeIssuing.certPem, fakeRoot.certPem],
      anchors,
      at: AT,
    });
    expect(expectFailure(full, 'cert-untrusted-root')).toContain('look-alike');
    const noRoot = validateCertificatePath(fakeLeaf.certPem, { intermediates: [fakeIssuing.certPem], anchors, at: AT });
    expect(expectFailure(noRoot, 'cert-untrusted-root')).toContain('different key');
    // and the other way round: a look-alike configured as anchor does not anchor the real chain
    const wrongAnchor = validateCertificatePath(de.signing.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: fakeRoot.certPem }],
      at: AT,
    });
    expectFailure(wrongAnchor, 'cert-untrusted-root');
  });

  it('leaf used as CA → cert-basic-constraints', () => {
    const child = issue('child-of-leaf', dn('Issued by a leaf'), de.signing, { keyUsage: ['digitalSignature'] });
    const r = validateCertificatePath(child.certPem, {
      intermediates: [de.signing.certPem, de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: AT,
    });
    expect(expectFailure(r, 'cert-basic-constraints')).toContain('Kakehashi DE node signing (TEST)');
  });

  it('a sub-CA under the pathLen 0 issuing CA → cert-path-length', () => {
    const subCa = issue('sub-ca', dn('Rogue sub-CA'), de.issuingCa, {
      basicConstraints: { cA: true },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const leaf = issue('sub-ca-leaf', dn('Leaf under the rogue sub-CA'), subCa, { keyUsage: ['digitalSignature'] });
    const r = validateCertificatePath(leaf.certPem, {
      intermediates: [subCa.certPem, de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: AT,
    });
    expect(expectFailure(r, 'cert-path-length')).toContain('Kakehashi DE Issuing CA (TEST)');
  });

  it('wrong key usage → cert-key-usage (encryption certificate used to sign)', () => {
    const r = validateCertificatePath(de.encryption.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: AT,
      requiredKeyUsage: ['digitalSignature'],
    });
    expect(expectFailure(r, 'cert-key-usage')).toContain('digitalSignature');
    const ca = issue('ca-without-certsign', dn('CA without keyCertSign'), de.rootCa, {
      basicConstraints: { cA: true, pathLen: 0 },
      keyUsage: ['cRLSign'],
    });
    const leaf = issue('leaf-of-bad-ku-ca', dn('Leaf of a CA without keyCertSign'), ca, {
      keyUsage: ['digitalSignature'],
    });
    expectFailure(
      validateCertificatePath(leaf.certPem, {
        intermediates: [ca.certPem],
        anchors: [{ certificate: de.rootCa.certPem }],
        at: AT,
      }),
      'cert-key-usage',
    );
  });

  it('missing intermediate → cert-chain-incomplete', () => {
    const r = validateCertificatePath(de.signing.certPem, { anchors: [{ certificate: de.rootCa.certPem }], at: AT });
    expect(expectFailure(r, 'cert-chain-incomplete')).toContain('Kakehashi DE Issuing CA (TEST)');
  });

  it('SHA-1-signed certificate → cert-weak-algorithm; RSA-1024 too', () => {
    const sha1 = issue('sha1-leaf', dn('SHA-1 signed leaf'), de.issuingCa, {
      keyUsage: ['digitalSignature'],
      signatureHash: 'sha1',
    });
    const r = validateCertificatePath(sha1.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: AT,
    });
    expect(expectFailure(r, 'cert-weak-algorithm')).toContain('sha1WithRSAEncryption');
    const small = generateRsaKeyPair(new SeededRandom('path-validation-test', 'rsa1024'), 1024);
    const weak = issueCertificate(
      { subject: dn('RSA-1024 leaf'), serialHex: '0102', ...validity, keyUsage: ['digitalSignature'] },
      small.publicKey,
      de.issuingCa,
    );
    const r2 = validateCertificatePath(weak.certPem, {
      intermediates: [de.issuingCa.certPem],
      anchors: [{ certificate: de.rootCa.certPem }],
      at: AT,
    });
    expect(expectFailure(r2, 'cert-weak-algorithm')).toContain('1024 bits');
  });

  it('altered certificate → cert-signature-invalid; garbage → cert-malformed', () => {
    const der = Buffer.from(de.signing.certificate.raw);
    der[der.length - 5] = (der[der.length - 5] as number) ^ 0xff;
    const r = validateCertificatePath(
      `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`,
      {
        intermediates: [de.issuingCa.certPem],
        anchors: [{ certificate: de.rootCa.certPem }],
        at: AT,
      },
    );
    expectFailure(r, 'cert-signature-invalid');
    expectFailure(validateCertificatePath('not a certificate', { anchors: [], at: AT }), 'cert-malformed');
  });
});

describe('TrustStore from verified trusted lists', () => {
  const clock = new VirtualClock();
  clock.freeze(AT);
  const issueOpts = {
    sequenceNumber: 1,
    issueDate: new Date('2026-05-01T00:00:00Z'),
    nextUpdate: new Date('2026-11-01T00:00:00Z'),
  };

  function storeFrom(services?: Parameters<typeof buildTrustedList>[2]['services']): TrustStore {
    const lotl = verifyLotl(buildLotl(m, issueOpts), { pinnedSignerCerts: [m.hub.signing.certPem], clock });
    const lists = lotl.pointers.map((p) =>
      verifyTrustedList(
        buildTrustedList(m, p.territory, p.territory === 'DE' ? { ...issueOpts, services } : issueOpts),
        { signerCerts: p.signerCerts, clock },
      ),
    );
    return TrustStore.fromTrustedLists(lists);
  }

  it('validates agency, node and JPKI citizen certificates, with CRLs', () => {
    const store = storeFrom();
    expect(store.anchors).toHaveLength(6); // DE root+issuing, JP root+issuing, JPKI root+CA
    expect(
      store.validate(m.countries.JP!.agencies.mhlw!.certPem, { at: AT, requiredKeyUsage: ['nonRepudiation'] }).valid,
    ).toBe(true);
    const citizen = issueJpkiCertificates(m, {
      id: 'p1',
      name: '佐藤 太郎',
      sex: '1',
      dateOfBirth: '19800101',
      address: '大阪府大阪市北区',
    });
    expect(store.validate(citizen.signature.certPem, { at: AT, requiredKeyUsage: ['nonRepudiation'] }).valid).toBe(
      true,
    );
    expect(store.validate(m.hub.signing.certPem, { at: AT, intermediates: m.hub.signing.chainPem }).failure?.code).toBe(
      'cert-untrusted-root',
    );
    store.addCrl(
      parseCrl(
        createCrl(
          m.countries.JP!.jpki!.ca,
          [{ serialHex: citizen.signature.serialHex, revokedAt: new Date('2026-05-05Z') }],
          new Date('2026-05-06Z'),
          new Date('2026-08-01Z'),
          1,
        ),
      ),
    );
    expect(store.validate(citizen.signature.certPem, { at: AT }).failure?.code).toBe('cert-revoked');
    expect(store.validate(citizen.authentication.certPem, { at: AT }).valid).toBe(true);
  });

  it('a withdrawn CA stops anchoring from its StatusStartingTime; a granted root above still anchors', () => {
    const withdrawal = new Date('2026-03-01T00:00:00Z');
    const wasGranted = [{ status: 'granted' as const, statusStartingTime: new Date('2025-01-01T00:00:00Z') }];
    const both = storeFrom({
      'DE-root-ca': { status: 'withdrawn', statusStartingTime: withdrawal, history: wasGranted },
      'DE-issuing-ca': { status: 'withdrawn', statusStartingTime: withdrawal, history: wasGranted },
    });
    const r = both.validate(de.agencies.bva!.certPem, { at: AT, intermediates: [de.issuingCa.certPem] });
    expect(expectFailure(r, 'cert-untrusted-root')).toContain('not "granted"');
    expect(both.validate(de.agencies.bva!.certPem, { at: new Date('2026-02-01T00:00:00Z') }).valid).toBe(true);
    const issuingOnly = storeFrom({
      'DE-issuing-ca': { status: 'withdrawn', statusStartingTime: withdrawal, history: wasGranted },
    });
    const viaRoot = issuingOnly.validate(de.agencies.bva!.certPem, { at: AT, intermediates: [de.issuingCa.certPem] });
    expect(viaRoot.valid).toBe(true);
    expect(viaRoot.chain.at(-1)?.label).toBe('Kakehashi DE Root CA (TEST)');
  });
});
