import { VirtualClock } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrustMaterial } from '../src/pki/types.ts';
import { buildLotl } from '../src/tl/build-lotl.ts';
import { buildTrustedList } from '../src/tl/build-trusted-list.ts';
import { SERVICE_STATUS, SERVICE_TYPE, TSL_TYPE } from '../src/tl/constants.ts';
import { signList } from '../src/tl/sign-list.ts';
import { verifyLotl, verifyTrustedList } from '../src/tl/verify-trusted-list.ts';
import { AT, HUB_URL, material } from './fixtures.ts';

let m: TrustMaterial;
let lotl: string;
let tls: Record<string, string>;
const issue = {
  sequenceNumber: 5,
  issueDate: new Date('2026-05-01T00:00:00Z'),
  nextUpdate: new Date('2026-11-01T00:00:00Z'),
};
const withdrawnAt = new Date('2026-03-01T00:00:00Z');

function clockAt(d: Date): VirtualClock {
  const c = new VirtualClock();
  c.freeze(d);
  return c;
}
const clock = clockAt(AT);

beforeAll(() => {
  m = material();
  lotl = buildLotl(m, issue);
  tls = {
    DE: buildTrustedList(m, 'DE', {
      ...issue,
      services: {
        'DE-root-ca': {
          status: 'withdrawn',
          statusStartingTime: withdrawnAt,
          history: [{ status: 'granted', statusStartingTime: new Date('2025-01-01T00:00:00Z') }],
        },
      },
    }),
    JP: buildTrustedList(m, 'JP', issue),
  };
});

const expectCode = (fn: () => unknown, code: string) => expect(fn).toThrowError(expect.objectContaining({ code }));

describe('LOTL and trusted lists: signature shape', () => {
  it('places ds:Signature last in TrustServiceStatusList, Reference URI="" with an Id, RSA-SHA256 and exc-c14n', () => {
    for (const xml of [lotl, tls.DE!, tls.JP!]) {
      expect(xml).toMatch(/<\/ds:Signature><\/TrustServiceStatusList>\s*$/);
      expect(xml).toMatch(/<ds:Reference URI="" Id="ref-[A-Z-]+">/);
      expect(xml).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"');
      expect(xml).toContain('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>');
    }
  });
});

describe('verifyLotl', () => {
  it('returns one pointer per country with its TL signer, type and territory', () => {
    const v = verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock });
    expect(v.tslType).toBe(TSL_TYPE.euLotl);
    expect(v.territory).toBe('EU');
    expect(v.sequenceNumber).toBe(5);
    expect(v.nextUpdate.toISOString()).toBe(issue.nextUpdate.toISOString());
    expect(v.signerCertPem).toBe(m.hub.signing.certificate.toString());
    expect(v.pointers.map((p) => [p.territory, p.location, p.tslType, p.mimeType])).toEqual([
      ['DE', `${HUB_URL}/trust/tl/DE.xml`, TSL_TYPE.euGeneric, 'application/vnd.etsi.tsl+xml'],
      [
        'JP',
        `${HUB_URL}/trust/tl/JP.xml`,
        'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/JPlist',
        'application/vnd.etsi.tsl+xml',
      ],
    ]);
    expect(v.pointers[0]!.signerCerts).toEqual([m.countries.DE!.tlSigner.certificate.toString()]);
  });

  it('rejects a one-byte change (tl-signature-invalid)', () => {
    const tampered = lotl.replace('<TSLSequenceNumber>5<', '<TSLSequenceNumber>6<');
    expect(tampered).not.toBe(lotl);
    expectCode(
      () => verifyLotl(tampered, { pinnedSignerCerts: [m.hub.signing.certPem], clock }),
      'tl-signature-invalid',
    );
    const pointerSwap = lotl.replace(`${HUB_URL}/trust/tl/DE.xml`, `${HUB_URL}/trust/tl/DF.xml`);
    expectCode(
      () => verifyLotl(pointerSwap, { pinnedSignerCerts: [m.hub.signing.certPem], clock }),
      'tl-signature-invalid',
    );
  });

  it('rejects a list signed by another key, even with that key certificate in KeyInfo', () => {
    const unsigned = lotl.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const forged = signList(unsigned, m.countries.DE!.signing, { signatureId: 'sig-LOTL', referenceId: 'ref-LOTL' });
    expect(forged).toContain(m.countries.DE!.signing.certPem.split('\n')[1]!.slice(0, 40)); // attacker cert in KeyInfo
    expectCode(() => verifyLotl(forged, { pinnedSignerCerts: [m.hub.signing.certPem], clock }), 'tl-signature-invalid');
    // but the same list verifies when that key is the pinned one (the check is the pin, not the bytes)
    expect(verifyLotl(forged, { pinnedSignerCerts: [m.countries.DE!.signing.certPem], clock }).pointers).toHaveLength(
      2,
    );
  });

  it('rejects an expired list (clock past NextUpdate) and a rolled-back sequence', () => {
    const later = clockAt(new Date(issue.nextUpdate.getTime() + 1000));
    expectCode(() => verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock: later }), 'tl-expired');
    expectCode(
      () => verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock, minSequence: 6 }),
      'tl-rollback',
    );
    expect(verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock, minSequence: 5 }).sequenceNumber).toBe(
      5,
    );
  });

  it('rejects a second Signature, a signature moved away from the end, and unsafe XML', () => {
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(lotl)![0];
    const twice = lotl.replace('</TrustServiceStatusList>', `${sig}</TrustServiceStatusList>`);
    expectCode(() => verifyLotl(twice, { pinnedSignerCerts: [m.hub.signing.certPem], clock }), 'tl-signature-invalid');
    const moved = lotl.replace(sig, '').replace('<SchemeInformation>', `<SchemeInformation>${sig}`);
    expectCode(() => verifyLotl(moved, { pinnedSignerCerts: [m.hub.signing.certPem], clock }), 'tl-signature-invalid');
    const doctype = lotl.replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>',
    );
    expectCode(
      () => verifyLotl(doctype, { pinnedSignerCerts: [m.hub.signing.certPem], clock }),
      'xml-doctype-forbidden',
    );
  });
});

describe('verifyTrustedList', () => {
  it('returns services with type, status, certificates and history; JP is a third-country list', () => {
    const pointers = verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock }).pointers;
    const de = verifyTrustedList(tls.DE!, { signerCerts: pointers[0]!.signerCerts, clock, expectedTerritory: 'DE' });
    expect(de.tslType).toBe(TSL_TYPE.euGeneric);
    expect(de.services.map((s) => [s.serviceName, s.type, s.statusName])).toEqual([
      ['Kakehashi DE Root CA (TEST)', SERVICE_TYPE.caQc, 'withdrawn'],
      ['Kakehashi DE Issuing CA (TEST)', SERVICE_TYPE.caQc, 'granted'],
      ['Kakehashi DE Time-Stamping Unit (TEST)', SERVICE_TYPE.tsaQtst, 'granted'],
    ]);
    const root = de.services[0]!;
    expect(root.status).toBe(SERVICE_STATUS.withdrawn);
    expect(root.statusStartingTime.toISOString()).toBe(withdrawnAt.toISOString());
    expect(root.history).toEqual([
      {
        type: SERVICE_TYPE.caQc,
        serviceName: 'Kakehashi DE Root CA (TEST)',
        status: SERVICE_STATUS.granted,
        statusStartingTime: new Date('2025-01-01T00:00:00Z'),
      },
    ]);
    expect(root.certificatesPem).toEqual([m.countries.DE!.rootCa.certificate.toString()]);
    expect(de.anchors.find((a) => a.source?.includes('Root'))?.grantedPeriods).toEqual([
      { from: new Date('2025-01-01T00:00:00Z'), to: withdrawnAt },
    ]);
    const jp = verifyTrustedList(tls.JP!, { signerCerts: pointers[1]!.signerCerts, clock, expectedTerritory: 'JP' });
    expect(jp.tslType).toBe(TSL_TYPE.thirdCountry('JP'));
    expect(jp.territory).toBe('JP');
    expect(jp.services.map((s) => s.serviceName)).toEqual([
      'Kakehashi JP Root CA (TEST)',
      'Kakehashi JP Issuing CA (TEST)',
      'JPKI TEST Root CA',
      'JPKI test CA',
      'Kakehashi JP Time-Stamping Unit (TEST)',
    ]);
    expect(jp.services.every((s) => s.statusName === 'granted' && s.history.length === 0)).toBe(true);
  });

  it('rejects the DE list verified with the JP signer (a list signed by another TL signer)', () => {
    expectCode(
      () => verifyTrustedList(tls.DE!, { signerCerts: [m.countries.JP!.tlSigner.certPem], clock }),
      'tl-signature-invalid',
    );
  });

  it('rejects a tampered service status (withdrawn → granted)', () => {
    const tampered = tls.DE!.replace(SERVICE_STATUS.withdrawn, SERVICE_STATUS.granted);
    expectCode(
      () => verifyTrustedList(tampered, { signerCerts: [m.countries.DE!.tlSigner.certPem], clock }),
      'tl-signature-invalid',
    );
  });

  it('rejects expiry, rollback and a list served for the wrong territory', () => {
    const signer = [m.countries.JP!.tlSigner.certPem];
    expectCode(
      () => verifyTrustedList(tls.JP!, { signerCerts: signer, clock: clockAt(new Date('2027-01-01T00:00:00Z')) }),
      'tl-expired',
    );
    expectCode(() => verifyTrustedList(tls.JP!, { signerCerts: signer, clock, minSequence: 9 }), 'tl-rollback');
    expectCode(
      () => verifyTrustedList(tls.JP!, { signerCerts: signer, clock, expectedTerritory: 'DE' }),
      'validation-failed',
    );
  });
});
