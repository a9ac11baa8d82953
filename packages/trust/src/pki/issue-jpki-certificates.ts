import { KakehashiError, SeededRandom } from '@kakehashi/core';
import { OID } from '../asn1/der.ts';
import { issueKeyCert, LEAF_VALIDITY_YEARS } from './generate-material.ts';
import { TEST_ONLY_OU } from './issue-certificate.ts';
import type { CountryMaterial, KeyCert, TrustMaterial } from './types.ts';

/** The four basic items (基本4情報) a JPKI signature certificate carries, plus the person's stable id. */
export interface JpkiPerson {
  /** Stable persona id: keys and serials derive from it (same seed + id ⇒ same certificates). */
  id: string;
  /** Name (氏名). */
  name: string;
  /** Sex code, as on the card: `1` male, `2` female, `3` other (JPKI encodes it as a string). */
  sex: string;
  /** Date of birth, `YYYYMMDD` recommended (passed through unchanged). */
  dateOfBirth: string;
  /** Address (住所). */
  address: string;
}

/** A citizen's JPKI certificate pair. */
export interface JpkiCertificates {
  /** Signature certificate (署名用電子証明書): digitalSignature + nonRepudiation, the basic four items in subjectAltName. */
  signature: KeyCert;
  /** User authentication certificate (利用者証明用電子証明書): no personal data at all. */
  authentication: KeyCert;
}

function jpkiCountry(
  material: Pick<TrustMaterial, 'countries'>,
  countryCode?: string,
): CountryMaterial & { jpki: NonNullable<CountryMaterial['jpki']> } {
  const candidates = Object.values(material.countries).filter(
    (c) => c.jpki && (!countryCode || c.code === countryCode.toUpperCase()),
  );
  const country = candidates[0];
  if (!country?.jpki) {
    throw new KakehashiError(
      'unknown-country',
      'No JPKI CA in this trust material: generate it with a country spec that has `jpki: true` (Japan).',
    );
  }
  return country as CountryMaterial & { jpki: NonNullable<CountryMaterial['jpki']> };
}

/**
 * Issues a citizen's JPKI-style (My Number Card) certificates from the "JPKI test CA", deterministically from
 * the material's seed and `person.id`:
 * - the signature certificate carries name, sex, date of birth and address as subjectAltName otherName
 *   entries under 1.2.392.200149.8.5.5.{1,3,4,5} (UTF8String values); its subject is serial-based only;
 * - the user authentication certificate has no personal data, a serial-based subject, and EKU clientAuth.
 * Both start at the material's validity epoch and last {@link LEAF_VALIDITY_YEARS} years; their CRL is the
 * JPKI CA's (`<hubUrl>/trust/crl/JP-jpki-ca.crl`). Each call costs two RSA key generations (~0.1 s); cache
 * the result per person.
 *
 * Simplified against real JPKI: one issuing CA for both certificate kinds (the real system has two), no
 * name in kana (OID …5.5.2), no certificate policies.
 * @see https://www.jpki.go.jp/ (the real service)
 */
export function issueJpkiCertificates(
  material: Pick<TrustMaterial, 'countries' | 'seed' | 'hubUrl' | 'validityEpoch'>,
  person: JpkiPerson,
  options: { countryCode?: string } = {},
): JpkiCertificates {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(person.id)) {
    throw new KakehashiError('validation-failed', 'A JPKI person id must be 1-64 characters of A-Z a-z 0-9 . _ -');
  }
  const country = jpkiCountry(material, options.countryCode);
  const ctx = { random: new SeededRandom(material.seed, 'kakehashi/trust'), hubUrl: material.hubUrl };
  const notBefore = new Date(material.validityEpoch);
  const notAfter = new Date(notBefore.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + LEAF_VALIDITY_YEARS);
  const cc = country.code;
  const subjectFor = (kind: string) => [
    { type: 'C' as const, value: cc },
    { type: 'O' as const, value: 'JPKI (Kakehashi mock of the My Number Card PKI)' },
    { type: 'OU' as const, value: TEST_ONLY_OU },
    { type: 'CN' as const, value: `${kind} ${ctx.random.fork(`jpki-cn/${kind}/${person.id}`).hex(10).toUpperCase()}` },
  ];
  const signature = issueKeyCert(
    ctx,
    `${cc}-jpki-sig-${person.id}`,
    {
      subject: subjectFor('JPKI-SIG'),
      notBefore,
      notAfter,
      basicConstraints: { cA: false },
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      subjectAltNames: [
        { type: 'otherName', oid: OID.jpkiName, value: person.name },
        { type: 'otherName', oid: OID.jpkiSex, value: person.sex },
        { type: 'otherName', oid: OID.jpkiDateOfBirth, value: person.dateOfBirth },
        { type: 'otherName', oid: OID.jpkiAddress, value: person.address },
      ],
    },
    country.jpki.ca,
  );
  const authentication = issueKeyCert(
    ctx,
    `${cc}-jpki-auth-${person.id}`,
    {
      subject: subjectFor('JPKI-AUTH'),
      notBefore,
      notAfter,
      basicConstraints: { cA: false },
      keyUsage: ['digitalSignature'],
      extKeyUsage: [OID.clientAuth],
    },
    country.jpki.ca,
  );
  return { signature, authentication };
}
