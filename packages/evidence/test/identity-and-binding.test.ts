import { describe, expect, it } from 'vitest';
import { buildEvidenceDocument, readSignedEvidence } from '../src/evidence-doc/evidence-document.ts';
import { matchesMinimumDataSet } from '../src/provider/handle-query-request.ts';
import { createPersonaSource } from '../src/sources/persona-source.ts';

const held = {
  familyName: '山田',
  givenName: '太郎',
  familyNameLatin: 'Yamada',
  givenNameLatin: 'Taro',
  dateOfBirth: '1985-04-01',
};

describe('identity matching against the register', () => {
  it('names in the local script or in Latin (NFKC, case and spaces ignored), the date of birth exactly', () => {
    const asked = { personIdentifier: 'JP/DE/x', levelOfAssurance: 'High' as const, dateOfBirth: '1985-04-01' };
    expect(matchesMinimumDataSet(held, { ...asked, familyName: '山田', givenName: '太郎' })).toBe(true);
    expect(matchesMinimumDataSet(held, { ...asked, familyName: 'YAMADA ', givenName: 'taro' })).toBe(true);
    expect(matchesMinimumDataSet(held, { ...asked, familyName: 'ＹＡＭＡＤＡ', givenName: 'Taro' })).toBe(true);
    expect(matchesMinimumDataSet(held, { ...asked, familyName: 'Yamada', givenName: 'Jiro' })).toBe(false);
    expect(
      matchesMinimumDataSet(held, { ...asked, dateOfBirth: '1985-04-02', familyName: 'Yamada', givenName: 'Taro' }),
    ).toBe(false);
  });

  it('a persona source resolves only identifiers of its own country, for any destination', async () => {
    const personas = [
      {
        id: 'ee-001',
        familyName: 'Tamm',
        givenName: 'Jaan',
        familyNameLatin: 'Tamm',
        givenNameLatin: 'Jaan',
        dateOfBirth: '1976-05-03',
        gender: 'male',
        placeOfBirth: 'Tartu',
        address: { full: 'Narva mnt 1, Tallinn', fullLatin: 'Narva mnt 1, Tallinn', city: 'Tallinn' },
      },
    ];
    const source = createPersonaSource({
      country: 'EE',
      seed: 's',
      personas,
      agencies: [{ id: 'emta', name: 'Estonian Tax and Customs Board' }],
      personIdentifier: (id, dest) => `EE/${dest}/opaque-${id}-${dest}`,
    });
    expect(await source.resolve('EE/JP/opaque-ee-001-JP')).toBe('ee-001');
    expect(await source.resolve('EE/DE/opaque-ee-001-DE')).toBe('ee-001');
    expect(await source.resolve('EE/JP/opaque-ee-001-DE')).toBeUndefined();
    expect(await source.resolve('JP/JP/opaque-ee-001-JP')).toBeUndefined();
    const facts = await source.facts({ handle: 'ee-001', agencyId: 'emta', kind: 'income' });
    expect(facts.found).toBe(true);
    const again = await source.facts({ handle: 'ee-001', agencyId: 'emta', kind: 'income' });
    expect(again).toEqual(facts); // derived from the seed: the same person always gets the same figures
    expect((await source.facts({ handle: 'ee-001', agencyId: 'nobody', kind: 'income' })).found).toBe(false);
  });
});

describe('reference binding of the signed evidence (what is signed is what is read)', () => {
  const doc = buildEvidenceDocument({
    id: 'evidence-1',
    kind: 'residence',
    classification: 'urn:kakehashi:evidence-type:JP:juminhyo',
    title: 'Certificate of residence',
    titleLocal: '住民票の写し',
    issuer: { participantId: 'urn:kakehashi:participant:jp:setagaya-city', name: 'Setagaya City', country: 'JP' },
    subject: { ...held, personIdentifier: 'JP/DE/x' },
    facts: { '住所 (address)': '東京都世田谷区' },
    requestId: 'urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797',
    issuedAt: '2026-11-23T10:00:00Z',
  });
  const sig = (uri: string) =>
    `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="${uri}"/><ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#sp"/></ds:SignedInfo></ds:Signature>`;
  const withSig = (s: string) => doc.replace('</ev:Evidence>', `${s}</ev:Evidence>`);

  it('accepts one enveloped signature over the root and reads the bound fields', () => {
    const v = readSignedEvidence(withSig(sig('')));
    expect(v).toMatchObject({
      id: 'evidence-1',
      requestId: 'urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797',
      personIdentifier: 'JP/DE/x',
      issuerParticipant: 'urn:kakehashi:participant:jp:setagaya-city',
      issuerCountry: 'JP',
    });
    expect(v.facts['住所 (address)']).toBe('東京都世田谷区');
    expect(readSignedEvidence(withSig(sig('#evidence-1'))).id).toBe('evidence-1');
  });

  it('refuses no signature, two signatures, a reference to something else, a signature not under the root', () => {
    expect(() => readSignedEvidence(doc)).toThrow(/0 ds:Signature/);
    expect(() => readSignedEvidence(withSig(sig('') + sig('')))).toThrow(/2 ds:Signature/);
    expect(() => readSignedEvidence(withSig(sig('#other')))).toThrow(/does not point at the root/);
    expect(() =>
      readSignedEvidence(doc.replace('<ev:Facts>', `<ev:Facts><ev:Wrapper>${sig('')}</ev:Wrapper>`)),
    ).toThrow(/not a direct child/);
    expect(() => readSignedEvidence(withSig(sig('')).replace('<ev:Subject>', '<ev:Subject/><ev:Subject>'))).toThrow(
      /must appear once/,
    );
  });
});
