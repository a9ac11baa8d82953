import type { Persona } from '@kakehashi/personas';
import { issueSdJwtVc } from '../issuer/issue-sd-jwt.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';

/** The residence attestation's SD-JWT VC type (Kakehashi's own: no EU rulebook names a Japanese residence record). */
export const RESIDENCE_VCT = 'urn:kakehashi:jp:setagaya:residence:1';
/** Its credential configuration at Setagaya's issuer. */
export const RESIDENCE_CONFIGURATION_ID = 'jp.setagaya.residence_sd_jwt';
/** The municipality, as the resident register names it. */
export const SETAGAYA = { name: 'Setagaya City', nameLocal: '世田谷区', region: '東京都' } as const;

/**
 * A certificate of residence (住民票の写し) as an electronic attestation of attributes: the entries of the resident
 * register a relying party abroad asks for — name (in kanji, its kana reading and the Latin transliteration),
 * date of birth, sex, address in Japanese and in Latin script — and who certifies them. The Individual Number (My
 * Number) and the resident record code are never in it (a 住民票 omits them unless asked, and they never leave
 * Japan's network).
 * @see https://www.soumu.go.jp/main_sosiki/jichi_gyousei/daityo/juminhyo.html (住民票の記載事項, MIC)
 */
export interface ResidenceClaims {
  family_name: string;
  given_name: string;
  family_name_kana?: string;
  given_name_kana?: string;
  family_name_latin: string;
  given_name_latin: string;
  birthdate: string;
  sex: string;
  address: { formatted: string; formatted_latin: string; postal_code: string; region: string; locality: string };
  issuing_authority: string;
  issuing_authority_local: string;
  issuing_country: 'JP';
  date_of_issuance: string;
}

/** Every claim name of the attestation, each selectively disclosable. */
export const RESIDENCE_CLAIM_NAMES: readonly (keyof ResidenceClaims)[] = [
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'family_name_latin',
  'given_name_latin',
  'birthdate',
  'sex',
  'address',
  'issuing_authority',
  'issuing_authority_local',
  'issuing_country',
  'date_of_issuance',
];

/** Whether Setagaya's resident register holds the persona (the city certifies its own residents only). */
export const livesInSetagaya = (p: Persona) => p.country === 'JP' && p.address.city === SETAGAYA.nameLocal;

/** The attestation's claims for a resident of Setagaya. */
export function residenceClaimsOf(p: Persona, issued: Date): ResidenceClaims {
  return {
    family_name: p.familyName,
    given_name: p.givenName,
    ...(p.kana ? { family_name_kana: p.kana.familyName, given_name_kana: p.kana.givenName } : {}),
    family_name_latin: p.familyNameLatin,
    given_name_latin: p.givenNameLatin,
    birthdate: p.dateOfBirth,
    sex: p.gender,
    address: {
      formatted: p.address.full,
      formatted_latin: p.address.fullLatin,
      postal_code: p.address.postCode,
      region: p.address.region ?? SETAGAYA.region,
      locality: p.address.city,
    },
    issuing_authority: `${SETAGAYA.name} (TEST)`,
    issuing_authority_local: `${SETAGAYA.nameLocal}長`,
    issuing_country: 'JP',
    date_of_issuance: issued.toISOString().slice(0, 10),
  };
}

/**
 * Issues the attestation as an SD-JWT VC exactly as the PID is issued (`typ` dc+sd-jwt, ES256, `x5c` = the issuer's
 * certificate and Japan's issuing CA, `cnf.jwk` the wallet's key, a Token Status List entry), every claim
 * selectively disclosable.
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-sd-jwt-vc-18.html#section-3.2
 */
export function issueResidenceSdJwt(opts: {
  issuer: string;
  key: PidIssuerKey;
  holderJwk: Record<string, unknown>;
  claims: ResidenceClaims;
  now: Date;
  expires: Date;
  status: { idx: number; uri: string };
}): Promise<string> {
  return issueSdJwtVc({
    ...opts,
    vct: RESIDENCE_VCT,
    claims: opts.claims as unknown as Record<string, unknown>,
    disclosureFrame: { _sd: RESIDENCE_CLAIM_NAMES.filter((n) => n in opts.claims) },
  });
}
