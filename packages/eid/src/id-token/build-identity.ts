import { type Loa, type Persona, toLatinAscii } from '@kakehashi/personas';
import { hmacB64 } from '../keys/derive-keys.ts';
import type { AuthenticatedIdentity } from './z-identity.ts';

/** The identity of a persona (its Latin transliteration only when it differs from the local script). */
export function identityFromPersona(p: Persona): AuthenticatedIdentity {
  return {
    subjectId: p.id,
    familyName: p.familyName,
    givenName: p.givenName,
    ...(p.familyNameLatin !== p.familyName ? { familyNameLatin: p.familyNameLatin } : {}),
    ...(p.givenNameLatin !== p.givenName ? { givenNameLatin: p.givenNameLatin } : {}),
    birthdate: p.dateOfBirth,
    loa: p.loa,
    custom: false,
  };
}

/**
 * A "custom identity" typed into the picker: persona-like, with a stable id keyed from the entered data (the
 * same entry gives the same pairwise identifiers), at the node's level of assurance.
 */
export function customIdentity(
  key: Buffer,
  input: { family_name: string; given_name: string; birthdate: string },
  loa: Loa,
): AuthenticatedIdentity {
  const id = hmacB64(key, `custom/v1/${input.family_name}\u0000${input.given_name}\u0000${input.birthdate}`);
  const familyLatin = toLatinAscii(input.family_name).trim();
  const givenLatin = toLatinAscii(input.given_name).trim();
  return {
    subjectId: `custom-${id.slice(0, 22)}`,
    familyName: input.family_name,
    givenName: input.given_name,
    ...(familyLatin && familyLatin !== input.family_name ? { familyNameLatin: familyLatin } : {}),
    ...(givenLatin && givenLatin !== input.given_name ? { givenNameLatin: givenLatin } : {}),
    birthdate: input.birthdate,
    loa,
    custom: true,
  };
}
