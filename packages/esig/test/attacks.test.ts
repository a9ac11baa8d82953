import { createSign, generateKeyPairSync } from 'node:crypto';
import { VirtualClock } from '@kakehashi/core';
import {
  buildLotl,
  buildTrustedList,
  crlUrl,
  type DnAttribute,
  issueCertificate,
  TEST_ONLY_OU,
  verifyLotl,
  verifyTrustedList,
} from '@kakehashi/trust';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { signingTime } from '../src/asn1/der.ts';
import { attribute, CMS_OID, signCms, signingCertificateV2 } from '../src/cades/cms.ts';
import type { SigningCredential } from '../src/common/certificates.ts';
import { pemToDer } from '../src/common/certificates.ts';
import { buildOcspRequest } from '../src/ocsp/ocsp-request.ts';
import { createOcspResponder } from '../src/ocsp/ocsp-responder.ts';
import type { ValidationReport } from '../src/report/z-report.ts';
import { signDocument } from '../src/sign/sign-document.ts';
import { validateSignature } from '../src/validate/validate-signature.ts';
import { cred, frozenClock, HUB_URL, material, ocspResponders, T0, trustView, tsaFor } from './fixtures.ts';

/** The C-series of the attack catalogue: each builds the attack and asserts the ETSI indication and sub-indication. */
const DOC = Buffer.from('<Order xmlns="urn:kakehashi:test"><Amount>100</Amount></Order>');
const DAY = 86_400_000;
const m = material();
const AT = m.countries.AT!;
const agency = () => cred(AT.agencies.bmi!);

function verdict(r: ValidationReport): [string, string | undefined] {
  return [r.indication, r.subIndicationName];
}

async function signAndValidate(
  credential: SigningCredential,
  opts: {
    format?: 'xades' | 'jades' | 'cades';
    level?: 'B-B' | 'B-T';
    signAt?: Date;
    tsaCountry?: string;
    validateAt?: Date;
    view?: Parameters<typeof trustView>[0];
  } = {},
): Promise<ValidationReport> {
  const signClock = frozenClock(opts.signAt ?? T0);
  const s = await signDocument({
    format: opts.format ?? 'xades',
    level: opts.level ?? 'B-B',
    packaging: 'enveloped',
    credential,
    content: DOC,
    clock: signClock,
    tsa: tsaFor(opts.tsaCountry ?? 'AT', signClock),
  });
  const clock = frozenClock(opts.validateAt ?? T0);
  const { ctx } = trustView({ ...(opts.view ?? {}), clock });
  return validateSignature({ signature: s.signature }, ctx);
}

/** A fresh RSA key with a certificate issued by `issuer` (default: the AT issuing CA). */
function customSigner(
  o: {
    notBefore?: Date;
    notAfter?: Date;
    bits?: number;
    cA?: boolean;
    pathLen?: number;
    keyUsage?: ('digitalSignature' | 'nonRepudiation' | 'keyCertSign' | 'cRLSign')[];
    subject?: DnAttribute[];
    extraExtensions?: { oid: string; critical: boolean; valueDer: Uint8Array }[];
  },
  issuer: {
    certificate: import('node:crypto').X509Certificate;
    privateKey: import('node:crypto').KeyObject;
    name: string;
    chainPem: string[];
    certPem: string;
  } = AT.issuingCa,
): SigningCredential & { certificate: import('node:crypto').X509Certificate } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: o.bits ?? 2048 });
  const { certPem, certificate } = issueCertificate(
    {
      subject: o.subject ?? [
        { type: 'C', value: 'AT' },
        { type: 'O', value: 'Attack test' },
        { type: 'OU', value: TEST_ONLY_OU },
        { type: 'CN', value: `signer ${Math.random().toString(36).slice(2, 8)}` },
      ],
      serialHex: Buffer.from(crypto.getRandomValues(new Uint8Array(12)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      notBefore: o.notBefore ?? new Date('2025-01-01T00:00:00Z'),
      notAfter: o.notAfter ?? new Date('2029-12-31T00:00:00Z'),
      basicConstraints: o.pathLen === undefined ? { cA: o.cA ?? false } : { cA: o.cA ?? false, pathLen: o.pathLen },
      keyUsage: o.keyUsage ?? ['digitalSignature', 'nonRepudiation'],
      crlDistributionPoint: crlUrl(HUB_URL, issuer.name),
      ...(o.extraExtensions ? { extraExtensions: o.extraExtensions } : {}),
    },
    publicKey,
    { certificate: issuer.certificate, privateKey: issuer.privateKey },
  );
  return { certPem, chainPem: [issuer.certPem, ...issuer.chainPem], privateKey, certificate };
}

describe('C-series: certificates, CMS/CAdES, trusted lists (EN 319 102-1 indications)', () => {
  it('C1 expired signer: TOTAL-FAILED/EXPIRED when a time-stamp proves signing after expiry, else INDETERMINATE/OUT_OF_BOUNDS_NO_POE', async () => {
    const expired = customSigner({ notAfter: new Date(T0.getTime() - 30 * DAY) });
    const bt = await signAndValidate(expired, { level: 'B-T' });
    expect(verdict(bt)).toEqual(['TOTAL-FAILED', 'EXPIRED']);
    expect(bt.explanation).toContain('expired at 2026-05-02');
    expect(verdict(await signAndValidate(expired))).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
  });

  it('C2 not yet valid: INDETERMINATE/NOT_YET_VALID, and TOTAL-FAILED when the time-stamp proves it', async () => {
    const future = customSigner({ notBefore: new Date(T0.getTime() + 30 * DAY) });
    expect(verdict(await signAndValidate(future))).toEqual(['INDETERMINATE', 'NOT_YET_VALID']);
    expect(verdict(await signAndValidate(future, { level: 'B-T' }))).toEqual(['TOTAL-FAILED', 'NOT_YET_VALID']);
  });

  it('C3 revoked (CRL): REVOKED before the proven signing time, REVOKED_NO_POE without proof, PASSED when revoked after', async () => {
    const serialHex = AT.agencies.bmi!.serialHex;
    const rev = (at: Date) => ({
      revocations: [{ serialHex, revokedAt: at, issuerName: 'AT-issuing-ca', reason: 'keyCompromise' as const }],
    });
    const before = await signAndValidate(agency(), {
      level: 'B-T',
      view: { ...rev(new Date(T0.getTime() - DAY)), clock: new VirtualClock() },
    });
    expect(verdict(before)).toEqual(['TOTAL-FAILED', 'REVOKED']);
    expect(before.explanation).toContain(
      'revoked at 2026-05-31T00:00:00.000Z by "Kakehashi AT Issuing CA (TEST)" (reason: keyCompromise), before the signing time 2026-06-01',
    );
    const afterDate = new Date(T0.getTime() + DAY);
    const validateAt = new Date(T0.getTime() + 2 * DAY);
    const view = { ...rev(afterDate), clock: new VirtualClock(), issuedAt: afterDate };
    expect(verdict(await signAndValidate(agency(), { validateAt, view }))).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    const ok = await signAndValidate(agency(), { level: 'B-T', validateAt, view });
    expect(verdict(ok)).toEqual(['TOTAL-PASSED', undefined]);
    expect(ok.buildingBlocks.find((b) => b.id === 'XCV')?.explanation).toContain('after the signing time');
  });

  it('C4 revoked (OCSP): REVOKED with the date from the OCSP response, though the CRL does not list it; good → PASSED citing OCSP', async () => {
    const serialHex = AT.agencies.bmi!.serialHex;
    const ocspOnly = (revokedAt: Date) => ({
      clock: new VirtualClock(),
      ocsp: { revocations: [{ serialHex, revokedAt, issuerName: 'AT-issuing-ca', reason: 'keyCompromise' as const }] },
    });
    const before = await signAndValidate(agency(), { level: 'B-T', view: ocspOnly(new Date(T0.getTime() - DAY)) });
    expect(verdict(before)).toEqual(['TOTAL-FAILED', 'REVOKED']);
    expect(before.explanation).toContain(
      'According to the OCSP response signed by "Kakehashi AT OCSP Responder (TEST)", the signer\'s certificate was revoked at 2026-05-31T00:00:00.000Z by "Kakehashi AT Issuing CA (TEST)" (reason: keyCompromise), before the signing time 2026-06-01',
    );
    const xcv = before.buildingBlocks.find((b) => b.id === 'XCV')!;
    // The CRL (built without this revocation) says nothing; OCSP decides.
    expect(xcv.checks.some((c) => c.outcome === 'failed' && c.reason.includes('not on the CRL'))).toBe(false);
    expect(xcv.checks.find((c) => c.check === 'revocation (OCSP)' && c.outcome === 'failed')?.reason).toContain(
      '(delegated OCSP responder)',
    );
    // No proof of existence, revoked after the claimed time → REVOKED_NO_POE.
    const later = new Date(T0.getTime() + DAY);
    const r2 = await signAndValidate(agency(), { validateAt: new Date(T0.getTime() + 2 * DAY), view: ocspOnly(later) });
    expect(verdict(r2)).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    // Not revoked: valid, and the X.509 block says OCSP was asked (leaf by the delegated signer, CA by the root).
    const good = await signAndValidate(agency(), { view: { clock: new VirtualClock(), ocsp: {} } });
    expect(verdict(good)).toEqual(['TOTAL-PASSED', undefined]);
    const okBlock = good.buildingBlocks.find((b) => b.id === 'XCV')!;
    expect(okBlock.explanation).toContain('Revocation checked by OCSP');
    const ocspChecks = okBlock.checks.filter((c) => c.check === 'revocation (OCSP)');
    expect(ocspChecks.map((c) => c.outcome)).toEqual(['passed', 'passed']);
    expect(ocspChecks[1]?.reason).toContain('signed by "Kakehashi AT Root CA (TEST)"');
  });

  it('C4 tampered, wrongly signed or replayed OCSP response → INDETERMINATE/TRY_LATER naming the reason; no answer → CRL fallback', async () => {
    const serialHex = AT.agencies.bmi!.serialHex;
    const revoked = [
      {
        serialHex,
        revokedAt: new Date(T0.getTime() - DAY),
        issuerName: 'AT-issuing-ca',
        reason: 'keyCompromise' as const,
      },
    ];
    const withTransform = (transform: (der: Buffer, c: { caName: string; requestDer: Buffer }) => Buffer | undefined) =>
      signAndValidate(agency(), { view: { clock: new VirtualClock(), ocsp: { revocations: revoked, transform } } });
    const leafOnly = (f: (der: Buffer, c: { caName: string; requestDer: Buffer }) => Buffer | undefined) =>
      withTransform((der, c) => (c.caName === 'AT-issuing-ca' ? f(der, c) : der));

    // 1. Tampered: the attacker pushes nextUpdate a year ahead (bytes of the signed ResponseData change).
    const tampered = await leafOnly((der) => {
      const at = der.indexOf(Buffer.from('20260602000000Z'));
      expect(at).toBeGreaterThan(0);
      const copy = Buffer.from(der);
      copy.write('2027', at, 'latin1');
      return copy;
    });
    expect(verdict(tampered)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(tampered.explanation).toContain('does not verify');
    expect(tampered.explanation).toContain('altered or forged');

    // 2. Wrong signer: a genuine OCSP signer, but of another CA (DE), answers "good" for an AT certificate.
    const deResponder = createOcspResponder({
      ca: AT.issuingCa,
      signer: m.countries.DE!.ocspSigner,
      status: () => undefined,
      clock: frozenClock(),
    });
    const wrong = await leafOnly((_der, c) => deResponder.respond(c.requestDer).der);
    expect(verdict(wrong)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(wrong.explanation).toContain('signed by "Kakehashi DE OCSP Responder (TEST)", which was not issued by');

    // 3. Issued by the right CA but not an OCSP responder (no id-kp-OCSPSigning): the TLS key answers "good".
    const tlsResponder = createOcspResponder({
      ca: AT.issuingCa,
      signer: AT.tls,
      status: () => undefined,
      clock: frozenClock(),
    });
    const notResponder = await leafOnly((_der, c) => tlsResponder.respond(c.requestDer).der);
    expect(verdict(notResponder)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(notResponder.explanation).toContain('without the extended key usage id-kp-OCSPSigning');

    // 4. Replay: an old "good" response, answered before the revocation to another request (another nonce).
    const old = ocspResponders([], frozenClock())['AT-issuing-ca']!.respond(
      buildOcspRequest(AT.agencies.bmi!.certPem, AT.issuingCa.certPem).der,
    ).der;
    const replayed = await leafOnly(() => old);
    expect(verdict(replayed)).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(replayed.explanation).toContain('echoes another nonce');

    // 5. The responder does not answer: the CRL is the fallback (it lists the revocation here).
    const down = await signAndValidate(agency(), {
      view: { clock: new VirtualClock(), revocations: revoked, ocsp: { transform: () => undefined } },
    });
    expect(verdict(down)).toEqual(['TOTAL-FAILED', 'REVOKED']);
    const downChecks = down.buildingBlocks.find((b) => b.id === 'XCV')!.checks;
    expect(downChecks.find((c) => c.check === 'revocation (OCSP)')?.reason).toContain('the CRL is used instead');
    expect(down.explanation).not.toContain('According to the OCSP response');
  });

  it('C5 wrong key usage: a TLS key, or a CA certificate used as the signer → INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE', async () => {
    const tls = await signAndValidate(cred(AT.tls));
    expect(verdict(tls)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(tls.explanation).toContain('nonRepudiation');
    expect(verdict(await signAndValidate(cred(AT.issuingCa)))).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it("C6 untrusted root, including a look-alike root with the trusted root's name → INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND", async () => {
    const rootDn: DnAttribute[] = [
      { type: 'C', value: 'AT' },
      { type: 'O', value: 'Austria national node (Kakehashi)' },
      { type: 'OU', value: TEST_ONLY_OU },
      { type: 'CN', value: 'Kakehashi AT Root CA (TEST)' },
    ];
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fake = issueCertificate(
      {
        subject: rootDn,
        serialHex: '0badc0de',
        notBefore: new Date('2025-01-01Z'),
        notAfter: new Date('2040-01-01Z'),
        basicConstraints: { cA: true },
        keyUsage: ['keyCertSign', 'cRLSign'],
      },
      publicKey,
      { selfSigningKey: privateKey },
    );
    const leaf = customSigner({}, { ...fake, privateKey, name: 'fake', chainPem: [], certPem: fake.certPem });
    const r = await signAndValidate(leaf);
    expect(verdict(r)).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    expect(r.explanation).toContain('look-alike');
  });

  it('C7 weak algorithms: an RSA-1024 signer, and an RSA-SHA1 signature → INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE', async () => {
    const weak = customSigner({ bits: 1024 });
    expect(verdict(await signAndValidate(weak))).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
    // Re-sign a valid XAdES with rsa-sha1 over the same SignedInfo.
    const clock = frozenClock();
    const s = await signDocument({
      format: 'xades',
      level: 'B-B',
      packaging: 'enveloped',
      credential: agency(),
      content: DOC,
      clock,
    });
    const doc = new DOMParser().parseFromString(s.signature, 'application/xml');
    const method = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'SignatureMethod').item(0)!;
    method.setAttribute('Algorithm', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    const si = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'SignedInfo').item(0)!;
    const signer = createSign('sha1');
    signer.update(new ExclusiveCanonicalization().process(si as unknown as Element, {}));
    const value = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'SignatureValue').item(0)!;
    value.textContent = signer.sign(AT.agencies.bmi!.privateKey).toString('base64');
    const { ctx } = trustView({ clock });
    const r = await validateSignature({ signature: new XMLSerializer().serializeToString(doc) }, ctx);
    expect(verdict(r)).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
    expect(r.explanation).toContain('rsa-sha1');
  });

  it('C8 content tampering, attached and detached → TOTAL-FAILED/HASH_FAILURE', async () => {
    const clock = frozenClock();
    const { ctx } = trustView({ clock });
    const x = await signDocument({
      format: 'xades',
      level: 'B-B',
      packaging: 'enveloped',
      credential: agency(),
      content: DOC,
      clock,
    });
    const r1 = await validateSignature({ signature: x.signature.replace('<Amount>100', '<Amount>900') }, ctx);
    expect(verdict(r1)).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
    for (const format of ['cades', 'xades', 'jades'] as const) {
      const d = await signDocument({
        format,
        level: 'B-B',
        packaging: 'detached',
        credential: agency(),
        content: DOC,
        clock,
      });
      expect(verdict(await validateSignature({ signature: d.signature, detachedContent: DOC }, ctx))).toEqual([
        'TOTAL-PASSED',
        undefined,
      ]);
      expect(
        verdict(
          await validateSignature({ signature: d.signature, detachedContent: Buffer.from('<Order>900</Order>') }, ctx),
        ),
      ).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
      expect(verdict(await validateSignature({ signature: d.signature }, ctx))).toEqual([
        'INDETERMINATE',
        'SIGNED_DATA_NOT_FOUND',
      ]);
    }
    const c = await signDocument({
      format: 'cades',
      level: 'B-B',
      packaging: 'enveloping',
      credential: agency(),
      content: DOC,
      clock,
    });
    const der = Buffer.from(c.signature, 'base64');
    const at = der.indexOf(Buffer.from('<Amount>100'));
    der.write('<Amount>900', at);
    expect(verdict(await validateSignature({ signature: der }, ctx))).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
  });

  it('C9 CAdES signing-certificate-v2 missing or naming another certificate → INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND', async () => {
    const clock = frozenClock();
    const { ctx } = trustView({ clock });
    const a = agency();
    const base = {
      signerCertPem: a.certPem,
      chainPem: a.chainPem,
      privateKey: a.privateKey,
      eContentType: CMS_OID.data,
      content: DOC,
      encapsulate: true,
    };
    const missing = await signCms({ ...base, signedAttributes: [attribute(CMS_OID.signingTime, signingTime(T0))] });
    const r1 = await validateSignature({ signature: missing.der }, ctx);
    expect(verdict(r1)).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
    expect(r1.explanation).toContain('no signing-certificate-v2');
    const other = await signCms({
      ...base,
      signedAttributes: [signingCertificateV2(pemToDer(m.countries.DE!.agencies.bva!.certPem))],
    });
    const r2 = await validateSignature({ signature: other.der }, ctx);
    expect(verdict(r2)).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
    expect(r2.explanation).toContain('points to another certificate');
  });

  it('C10 CA-flag abuse and path-length violation → INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE', async () => {
    // An end-entity certificate (the agency's) issuing a certificate.
    const agencyAsCa = { ...AT.agencies.bmi!, chainPem: AT.agencies.bmi!.chainPem };
    const abused = customSigner(
      {},
      {
        certificate: agencyAsCa.certificate,
        privateKey: agencyAsCa.privateKey,
        name: agencyAsCa.name,
        chainPem: agencyAsCa.chainPem,
        certPem: agencyAsCa.certPem,
      },
    );
    const r1 = await signAndValidate(abused);
    expect(verdict(r1)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(r1.explanation).toContain('not a CA certificate');
    // A sub-CA under the issuing CA (pathLen 0) issuing the signer.
    const sub = customSigner({ cA: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    const leaf = customSigner(
      {},
      {
        certificate: sub.certificate,
        privateKey: sub.privateKey,
        name: 'sub',
        chainPem: sub.chainPem,
        certPem: sub.certPem,
      },
    );
    const r2 = await signAndValidate(leaf);
    expect(verdict(r2)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(r2.explanation).toContain('pathLenConstraint');
  });

  it('C10 unknown critical extension on the signer → INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE; the same extension non-critical → valid', async () => {
    const ext = (critical: boolean) => [
      { oid: '1.3.6.1.4.1.55555.1.1', critical, valueDer: Buffer.from('0c096b616b656861736869', 'hex') },
    ];
    const bad = await signAndValidate(customSigner({ extraExtensions: ext(true) }));
    expect(verdict(bad)).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(bad.explanation).toContain('critical extension (1.3.6.1.4.1.55555.1.1) that is not understood');
    expect(bad.buildingBlocks.find((b) => b.id === 'XCV')?.checks.at(-1)?.rule).toBe('RFC 5280 §4.2');
    expect(verdict(await signAndValidate(customSigner({ extraExtensions: ext(false) })))).toEqual([
      'TOTAL-PASSED',
      undefined,
    ]);
  });

  it('C11 trusted lists: tampered, unpinned signer, NextUpdate passed, rollback → distrusted; a CA withdrawn at signing time → NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const clock = frozenClock();
    const issue = { sequenceNumber: 5, issueDate: T0, nextUpdate: new Date(T0.getTime() + 30 * DAY) };
    const lotl = verifyLotl(buildLotl(m, issue), { pinnedSignerCerts: [m.hub.signing.certPem], clock });
    const pointer = lotl.pointers.find((p) => p.territory === 'AT')!;
    const tl = buildTrustedList(m, 'AT', issue);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'accepted';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(
      code(() =>
        verifyTrustedList(tl.replace('Austria trusted list', 'Austria trusted lisT'), {
          signerCerts: pointer.signerCertsPem,
          clock,
        }),
      ),
    ).toBe('tl-signature-invalid');
    expect(code(() => verifyTrustedList(tl, { signerCerts: [m.countries.DE!.tlSigner.certPem], clock }))).toBe(
      'tl-signature-invalid',
    );
    expect(
      code(() =>
        verifyTrustedList(tl, {
          signerCerts: pointer.signerCertsPem,
          clock: frozenClock(new Date(T0.getTime() + 31 * DAY)),
        }),
      ),
    ).toBe('tl-expired');
    expect(code(() => verifyTrustedList(tl, { signerCerts: pointer.signerCertsPem, clock, minSequence: 6 }))).toBe(
      'tl-rollback',
    );
    expect(
      code(() => verifyLotl(buildLotl(m, issue), { pinnedSignerCerts: [m.countries.AT!.tlSigner.certPem], clock })),
    ).toBe('tl-signature-invalid');

    const withdrawnAt = new Date(T0.getTime() - 10 * DAY);
    const withdrawn = {
      status: 'withdrawn' as const,
      statusStartingTime: withdrawnAt,
      history: [{ status: 'granted' as const, statusStartingTime: new Date(m.validityEpoch) }],
    };
    const view = {
      clock: new VirtualClock(),
      services: { AT: { 'AT-root-ca': withdrawn, 'AT-issuing-ca': withdrawn } },
    };
    const r = await signAndValidate(agency(), { level: 'B-T', view });
    expect(verdict(r)).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    expect(r.explanation).toContain('granted');
    // Signed (and time-stamped by the German TSA) while the service was still granted: still valid after the withdrawal.
    const early = await signAndValidate(agency(), {
      level: 'B-T',
      signAt: new Date(withdrawnAt.getTime() - DAY),
      tsaCountry: 'DE',
      view,
    });
    expect(early.buildingBlocks.find((b) => b.id === 'XCV')?.explanation).toContain(
      'no longer granted now, but it was granted at',
    );
    expect(verdict(early)).toEqual(['TOTAL-PASSED', undefined]);
  });
});

describe('bad input: a report with FORMAT_FAILURE, never a crash', () => {
  const clock = frozenClock();
  const { ctx } = trustView({ clock });
  const fmt = async (signature: string | Uint8Array) => verdict(await validateSignature({ signature }, ctx));
  it('malformed, truncated and hostile signatures', async () => {
    const x = await signDocument({
      format: 'xades',
      level: 'B-T',
      packaging: 'enveloped',
      credential: agency(),
      content: DOC,
      clock,
      tsa: tsaFor('AT', clock),
    });
    const j = await signDocument({
      format: 'jades',
      level: 'B-B',
      packaging: 'enveloping',
      credential: agency(),
      content: DOC,
      clock,
    });
    const c = await signDocument({
      format: 'cades',
      level: 'B-B',
      packaging: 'enveloping',
      credential: agency(),
      content: DOC,
      clock,
    });
    const F = ['TOTAL-FAILED', 'FORMAT_FAILURE'];
    expect(await fmt(x.signature.slice(0, x.signature.length / 2))).toEqual(F);
    expect(await fmt(`<!DOCTYPE d [<!ENTITY a "b">]>${x.signature.replace(/^<\?xml[^>]*>/, '')}`)).toEqual(F);
    expect(
      await fmt(x.signature.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'urn:unknown:alg')),
    ).toEqual(F);
    expect(
      await fmt(
        x.signature.replace(
          '</ds:Transforms>',
          '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/></ds:Transforms>',
        ),
      ),
    ).toEqual(F);
    // Signature wrapping: a second element with the SignedProperties' Id.
    const id = /Id="(xades-[0-9a-f]+)"/.exec(x.signature)![1];
    expect(await fmt(x.signature.replace('<Amount>', `<Amount><w Id="${id}"/>`))).toEqual(F);
    expect(await fmt(`<x>${'<a>'.repeat(200)}</x>`)).toEqual(F);
    expect(await fmt(`<x>${'a'.repeat(9 * 1024 * 1024)}</x>`)).toEqual(F);
    const [h, p, s] = j.signature.split('.') as [string, string, string];
    expect(await fmt(`${h}.${p}`)).toEqual(F);
    expect(await fmt(`${Buffer.from('{"alg":"none","x5c":[]}').toString('base64url')}.${p}.${s}`)).toEqual(F);
    expect(await fmt(`${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${p}.${s}`)).toEqual(F);
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    expect(
      await fmt(
        `${Buffer.from(JSON.stringify({ ...header, crit: ['sigT', 'exp'], exp: 1 })).toString('base64url')}.${p}.${s}`,
      ),
    ).toEqual(F);
    expect(
      await fmt(`${Buffer.from(JSON.stringify({ ...header, jwk: { kty: 'RSA' } })).toString('base64url')}.${p}.${s}`),
    ).toEqual(F);
    expect(await fmt(`${h}.${p}.${s}=`)).toEqual(F);
    expect(await fmt(c.signature.slice(0, 200))).toEqual(F);
    expect(await fmt(Buffer.from([0x30, 0x80, 0x06, 0x09]))).toEqual(F);
    expect(await fmt('just some text, not a signature!')).toEqual(F);
    // A JAdES signature value changed: SIG_CRYPTO_FAILURE.
    const flipped = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await fmt(flipped)).toEqual(['TOTAL-FAILED', 'SIG_CRYPTO_FAILURE']);
  });
});
