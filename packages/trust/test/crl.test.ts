import { beforeAll, describe, expect, it } from 'vitest';
import { createCrl } from '../src/crl/create-crl.ts';
import { crlToPem, parseCrl } from '../src/crl/parse-crl.ts';
import { buildCrls, type RevocationRecord, revocationsFor, revoke } from '../src/crl/revoke.ts';
import type { TrustMaterial } from '../src/pki/types.ts';
import { standingRevokedSerial } from '../src/publication/faults.ts';
import { AT, material } from './fixtures.ts';

let m: TrustMaterial;
beforeAll(() => {
  m = material();
});

const thisUpdate = new Date('2026-05-01T00:00:00Z');
const nextUpdate = new Date('2026-07-01T00:00:00Z');

describe('createCrl / parseCrl', () => {
  it('round-trips entries, dates, number and reason, and verifies only against its CA', () => {
    const de = m.countries.DE!;
    const der = createCrl(
      de.issuingCa,
      [
        { serialHex: de.tls.serialHex, revokedAt: new Date('2026-04-01T00:00:00Z'), reason: 'keyCompromise' },
        { serialHex: '0x0A', revokedAt: new Date('2026-03-01T00:00:00Z') },
      ],
      thisUpdate,
      nextUpdate,
      42,
    );
    const crl = parseCrl(der);
    expect(crl.issuer).toBe(de.issuingCa.certificate.subject);
    expect(crl.thisUpdate.toISOString()).toBe(thisUpdate.toISOString());
    expect(crl.nextUpdate?.toISOString()).toBe(nextUpdate.toISOString());
    expect(crl.crlNumber).toBe('2a');
    expect(crl.revoked).toEqual([
      { serialHex: '0a', revokedAt: new Date('2026-03-01T00:00:00Z') },
      { serialHex: de.tls.serialHex, revokedAt: new Date('2026-04-01T00:00:00Z'), reason: 'keyCompromise' },
    ]);
    expect(crl.find(de.tls.serialHex.toUpperCase())?.reason).toBe('keyCompromise');
    expect(crl.find(de.signing.serialHex)).toBeUndefined();
    expect(crl.verify(de.issuingCa.certificate)).toBe(true);
    expect(crl.verify(de.rootCa.certificate)).toBe(false); // wrong issuer
    expect(crl.verify(m.countries.JP!.issuingCa.certPem)).toBe(false);
    // deterministic bytes
    expect(
      createCrl(de.issuingCa, [], thisUpdate, nextUpdate, 1).equals(
        createCrl(de.issuingCa, [], thisUpdate, nextUpdate, 1),
      ),
    ).toBe(true);
    // a flipped bit in the signed part breaks the signature
    const tampered = Buffer.from(der);
    const idx = tampered.indexOf(Buffer.from(de.tls.serialHex, 'hex'));
    tampered[idx + 3] = (tampered[idx + 3] as number) ^ 0x01;
    expect(parseCrl(tampered).verify(de.issuingCa.certificate)).toBe(false);
    expect(parseCrl(crlToPem(der)).revoked).toHaveLength(2);
  });

  it('refuses garbage with cert-revocation-unknown', () => {
    expect(() => parseCrl(Buffer.from('not a crl'))).toThrowError(
      expect.objectContaining({ code: 'cert-revocation-unknown' }),
    );
  });
});

describe('revoke (pure)', () => {
  it('adds records by name or serial, idempotently, and builds one CRL per CA', () => {
    const de = m.countries.DE!;
    let records: RevocationRecord[] = [];
    records = revoke(m, records, {
      certName: 'DE-agency-bva',
      reason: 'affiliationChanged',
      at: new Date('2026-02-02T00:00:00Z'),
    });
    records = revoke(m, records, { serialHex: de.tls.serialHex.toUpperCase(), at: new Date('2026-02-03T00:00:00Z') });
    records = revoke(m, records, { certName: 'DE-agency-bva', at: new Date('2026-09-09T00:00:00Z') });
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      issuerName: 'DE-issuing-ca',
      certName: 'DE-agency-bva',
      reason: 'affiliationChanged',
    });
    expect(revocationsFor(records, 'DE-issuing-ca').map((r) => r.serialHex)).toEqual([
      de.agencies.bva!.serialHex,
      de.tls.serialHex,
    ]);
    expect(revocationsFor(records, 'JP-issuing-ca')).toEqual([]);
    expect(() => revoke(m, records, { certName: 'DE-root-ca', at: AT })).toThrowError(/self-signed root/);
    expect(() => revoke(m, records, { serialHex: '1234', at: AT })).toThrowError(
      expect.objectContaining({ code: 'bad-request' }),
    );
    const jpkiCitizen = revoke(m, [], { serialHex: '1234', issuerName: 'JP-jpki-ca', at: AT });
    expect(jpkiCitizen[0]).toMatchObject({ serialHex: '1234', issuerName: 'JP-jpki-ca' });
    const crls = buildCrls(m, records, { thisUpdate, nextUpdate, crlNumber: 3 });
    expect(Object.keys(crls)).toContain('hub-issuing-ca');
    // The records, plus each CA's standing revoked certificate (the esig.revoked-certificate fault's serial).
    const standingDe = standingRevokedSerial(de.issuingCa.serialHex);
    expect(
      parseCrl(crls['DE-issuing-ca']!)
        .revoked.map((r) => r.serialHex)
        .sort(),
    ).toEqual([de.agencies.bva!.serialHex, de.tls.serialHex, standingDe].sort());
    expect(parseCrl(crls['JP-issuing-ca']!).revoked.map((r) => r.serialHex)).toEqual([
      standingRevokedSerial(m.countries.JP!.issuingCa.serialHex),
    ]);
    expect(parseCrl(crls['DE-issuing-ca']!).find(standingDe)).toMatchObject({
      reason: 'keyCompromise',
      revokedAt: new Date(de.issuingCa.certificate.validFrom),
    });
  });
});
