import type { EidKeys } from '../keys/derive-keys.ts';
import { computePairwiseSub, computePersonIdentifier } from '../pairwise/compute-pairwise-sub.ts';
import type { AuthenticatedIdentity } from './z-identity.ts';

/**
 * The claims this provider releases (ID token and userinfo). The eIDAS natural-person minimum data set is
 * mapped onto OIDC standard claims where one exists:
 *
 * | claim | eIDAS attribute |
 * | --- | --- |
 * | `family_name` | CurrentFamilyName |
 * | `given_name` | CurrentGivenName |
 * | `birthdate` | DateOfBirth (`YYYY-MM-DD`) |
 * | `eidas_person_identifier` | PersonIdentifier (`CC/CC/opaque`) |
 * | `eidas_family_name_latin`, `eidas_given_name_latin` | the `LatinScript` transliteration, when the name is not already in Latin ASCII |
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 */
export const IDENTITY_CLAIMS = [
  'family_name',
  'given_name',
  'birthdate',
  'eidas_person_identifier',
  'eidas_family_name_latin',
  'eidas_given_name_latin',
] as const;

export interface IdentityClaims {
  sub: string;
  family_name: string;
  given_name: string;
  birthdate: string;
  eidas_person_identifier: string;
  eidas_family_name_latin?: string;
  eidas_given_name_latin?: string;
}

/**
 * Identifiers a country builds its own way (Japan: from the Cooperation Network's link id, through its key
 * custodian). Each answers undefined for a subject it does not know (a custom identity), and the node's own keyed
 * construction is used instead.
 */
export interface SubjectIdentifiers {
  personIdentifier(subjectId: string, destinationCountry: string): string | undefined;
  pairwiseSubject(subjectId: string, sector: string): string | undefined;
  /**
   * Both, as the two methods give them, for a construction that shares work between them (Japan: the link id
   * computed once). Optional; undefined for a subject it does not know, as the two.
   */
  identifiersOf?(
    subjectId: string,
    destinationCountry: string,
    sector: string,
  ): { personIdentifier: string; pairwiseSubject: string } | undefined;
}

export function buildIdentityClaims(opts: {
  keys: Pick<EidKeys, 'pairwiseKey' | 'personIdKey'>;
  country: string;
  destination: string;
  sector: string;
  identity: AuthenticatedIdentity;
  /** A national construction that replaces the node's own (Japan: derived from the Cooperation Network's link id). */
  identifiers?: SubjectIdentifiers | undefined;
}): IdentityClaims {
  const { identity } = opts;
  // A foreign citizen's PersonIdentifier is their own country's: only the pairwise sub is built here then.
  const both = identity.foreign?.personIdentifier
    ? undefined
    : opts.identifiers?.identifiersOf?.(identity.subjectId, opts.destination, opts.sector);
  return {
    sub:
      both?.pairwiseSubject ??
      opts.identifiers?.pairwiseSubject(identity.subjectId, opts.sector) ??
      computePairwiseSub(opts.keys.pairwiseKey, identity.subjectId, opts.sector),
    family_name: identity.familyName,
    given_name: identity.givenName,
    birthdate: identity.birthdate,
    // A foreign citizen keeps the PersonIdentifier their own country issued for this node's country.
    eidas_person_identifier:
      identity.foreign?.personIdentifier ??
      both?.personIdentifier ??
      opts.identifiers?.personIdentifier(identity.subjectId, opts.destination) ??
      computePersonIdentifier(opts.keys.personIdKey, opts.country, opts.destination, identity.subjectId),
    ...(identity.familyNameLatin ? { eidas_family_name_latin: identity.familyNameLatin } : {}),
    ...(identity.givenNameLatin ? { eidas_given_name_latin: identity.givenNameLatin } : {}),
  };
}
