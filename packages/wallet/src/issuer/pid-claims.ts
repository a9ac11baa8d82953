import type { Persona } from '@kakehashi/personas';

/** The SD-JWT VC type of the PID (PID Rulebook §4; Annex 2 PID_14). */
export const PID_VCT = 'urn:eudi:pid:1';

/** The PID claims as an SD-JWT VC carries them (PID Rulebook v1.7 §2–4, the SD-JWT VC names). */
export interface PidClaims {
  family_name: string;
  given_name: string;
  birthdate: string;
  place_of_birth: { locality: string; country: string };
  nationalities: string[];
  address: { formatted: string; street_address: string; postal_code: string; locality: string; country: string };
  email: string;
  phone_number: string;
  personal_administrative_number: string;
  issuing_authority: string;
  issuing_country: string;
  date_of_issuance: string;
  date_of_expiry: string;
  /**
   * Age attestation (PID Rulebook: `age_equal_or_over`, each member the statement "at least N years old" on the day
   * of issuance): here one member, `18`, so the claim discloses that statement and nothing else.
   */
  age_equal_or_over: { '18': boolean };
  /**
   * Kakehashi's mapping to eIDAS (not a rulebook claim): for each destination country, the PersonIdentifier its
   * relying parties get from an eIDAS login of this person; each member selectively disclosable.
   */
  eidas_person_identifiers?: Record<string, string>;
}

/** Every PID claim name, each selectively disclosable (Annex 2 PID_21). */
export const PID_CLAIM_NAMES: readonly (keyof PidClaims)[] = [
  'family_name',
  'given_name',
  'birthdate',
  'place_of_birth',
  'nationalities',
  'address',
  'email',
  'phone_number',
  'personal_administrative_number',
  'issuing_authority',
  'issuing_country',
  'date_of_issuance',
  'date_of_expiry',
  'age_equal_or_over',
];

/**
 * A persona's PID: names in Latin script (the rulebook's names are the ones of the eID scheme; the PID here
 * carries the Latin transliteration a foreign relying party can read), the national identifier as the
 * personal administrative number, and the issuing authority of the country's node.
 */
export function pidClaimsOf(p: Persona, issued: Date, expires: Date): PidClaims {
  return {
    family_name: p.familyNameLatin,
    given_name: p.givenNameLatin,
    birthdate: p.dateOfBirth,
    place_of_birth: { locality: p.placeOfBirth, country: p.country },
    nationalities: [p.country],
    address: {
      formatted: p.address.fullLatin,
      street_address: p.address.street,
      postal_code: p.address.postCode,
      locality: p.address.city,
      country: p.address.countryCode,
    },
    email: p.email,
    phone_number: p.phone,
    personal_administrative_number: p.nationalId.value,
    issuing_authority: `Kakehashi ${p.country} PID Provider (TEST)`,
    issuing_country: p.country,
    date_of_issuance: issued.toISOString().slice(0, 10),
    date_of_expiry: expires.toISOString().slice(0, 10),
    age_equal_or_over: { '18': isAgeAtLeast(p.dateOfBirth, issued, 18) },
  };
}

/**
 * Whether a person born on `birthdate` (YYYY-MM-DD) is `years` old or more on the UTC day of `at` (born on 29
 * February: from 1 March in a common year).
 */
export function isAgeAtLeast(birthdate: string, at: Date, years: number): boolean {
  const year = Number(birthdate.slice(0, 4)) + years;
  return `${String(year).padStart(4, '0')}${birthdate.slice(4)}` <= at.toISOString().slice(0, 10);
}
