import { VirtualClock } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrustMaterial } from '../src/pki/types.ts';
import { buildLotl } from '../src/tl/build-lotl.ts';
import { buildEntityList, ENTITY_LISTS, entityListing, entityListKindOf } from '../src/tl/entity-lists.ts';
import { verifyLotl, verifyTrustedList } from '../src/tl/verify-trusted-list.ts';
import { AT, HUB_URL, material } from './fixtures.ts';

/** The EUDI lists of trusted entities (PID providers, wallet providers) and the LOTL's pointers to them. */
let m: TrustMaterial;
const issue = {
  sequenceNumber: 3,
  issueDate: new Date('2026-05-01T00:00:00Z'),
  nextUpdate: new Date('2026-11-01T00:00:00Z'),
};
const clock = new VirtualClock();
clock.freeze(AT);

beforeAll(() => {
  m = material();
});

describe('lists of trusted entities (ETSI TS 119 602 URIs, TS 119 612 shape)', () => {
  it('the LOTL points at them after the national lists: LoTEType, territory EU, the LOTL signer', () => {
    const lotl = verifyLotl(buildLotl(m, { ...issue, entityLists: ['pid-providers', 'wallet-providers'] }), {
      pinnedSignerCerts: [m.hub.signing.certPem],
      clock,
    });
    const extra = lotl.pointers.filter((p) => entityListKindOf(p.tslType) !== undefined);
    expect(extra.map((p) => [p.tslType, p.territory, p.location])).toEqual([
      ['http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList', 'EU', `${HUB_URL}/trust/tl/EU-pid-providers.xml`],
      ['http://uri.etsi.org/19602/LoTEType/EUWalletProvidersList', 'EU', `${HUB_URL}/trust/tl/EU-wallet-providers.xml`],
    ]);
    expect(extra[0]!.signerCertsPem).toEqual([m.hub.signing.certificate.toString()]);
    // without the option the LOTL is what it was: national lists only
    const plain = verifyLotl(buildLotl(m, issue), { pinnedSignerCerts: [m.hub.signing.certPem], clock });
    expect(plain.pointers.every((p) => entityListKindOf(p.tslType) === undefined)).toBe(true);
  });

  it('lists each provider certificate as a granted service of the issuance type; the lookup finds only those', () => {
    const listed = m.countries.DE!.signing.certPem;
    const xml = buildEntityList(m, 'pid-providers', [{ country: 'DE', name: 'DE PID', certPem: listed }], issue);
    const list = verifyTrustedList(xml, { signerCerts: [m.hub.signing.certPem], clock, expectedTerritory: 'EU' });
    expect(list.tslType).toBe(ENTITY_LISTS['pid-providers'].tslType);
    expect(list.services.map((s) => [s.type, s.statusName])).toEqual([
      ['http://uri.etsi.org/19602/SvcType/PID/Issuance', 'granted'],
    ]);
    // a list of entities gives no CA anchors
    expect(list.anchors).toEqual([]);
    expect(entityListing(list, 'pid-providers', listed, AT)).toMatchObject({ listed: true });
    // the country's other certificate, same CA: not listed
    const other = entityListing(list, 'pid-providers', m.countries.DE!.encryption.certPem, AT);
    expect(other).toMatchObject({ listed: false });
    expect(other.reason).toMatch(/not on the list of PID providers/);
    // the same certificate looked up on the other kind of list: its service type is not that list's
    expect(entityListing(list, 'wallet-providers', listed, AT).listed).toBe(false);
    // before the service was granted (the validity epoch)
    expect(entityListing(list, 'pid-providers', listed, new Date('2020-01-01T00:00:00Z')).reason).toMatch(
      /not granted/,
    );
    expect(entityListing(undefined, 'pid-providers', listed, AT).reason).toMatch(/No list of PID providers/);
  });

  it('a list signed by a national TL signer is refused with the LOTL pointer as its signer', () => {
    const xml = buildEntityList(m, 'wallet-providers', [], issue);
    expect(() =>
      verifyTrustedList(xml, { signerCerts: [m.countries.DE!.tlSigner.certPem], clock, expectedTerritory: 'EU' }),
    ).toThrowError(expect.objectContaining({ code: 'tl-signature-invalid' }));
  });
});
