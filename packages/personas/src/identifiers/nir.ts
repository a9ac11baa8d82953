import type { SeededRandom } from '@kakehashi/core';
import { pad, parseIsoDate, randomDate, randomGender } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok, type PersonFacts } from './z-identifier.ts';

/**
 * The numeric value of a 13-character NIR body; Corsica's 2A / 2B count as 19 / 18 for the key.
 * BigInt: 13 digits fit a double, but the arithmetic stays exact whatever the input.
 */
function bodyValue(body: string): bigint {
  if (body.slice(5, 7) === '2A') return BigInt(`${body.slice(0, 5)}19${body.slice(7)}`);
  if (body.slice(5, 7) === '2B') return BigInt(`${body.slice(0, 5)}18${body.slice(7)}`);
  return BigInt(body);
}

/** The 2-digit key: 97 − (body mod 97). */
export function nirKey(body13: string): string {
  if (!/^\d{5}(\d{2}|2A|2B)\d{6}$/.test(body13)) throw new RangeError('nirKey: expected a 13-character NIR body');
  return pad(97 - Number(bodyValue(body13) % 97n), 2);
}

export function checkNir(value: string): IdCheck {
  if (value.length !== 15) return fail('NIR must be 15 characters (13 + 2-digit key)');
  if (!/^\d{5}(\d{2}|2A|2B)\d{8}$/.test(value))
    return fail('NIR must be digits (department 2A/2B allowed for Corsica)');
  if (!'12378'.includes(value[0] as string))
    return fail(`first digit (sex) must be 1 or 2 (3, 7, 8 for provisional), got ${value[0]}`);
  const month = Number(value.slice(3, 5));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) {
    return fail(`month of birth ${value.slice(3, 5)} is not 01–12 (or a special value 20–42, 50–99)`);
  }
  const expected = nirKey(value.slice(0, 13));
  return value.slice(13) === expected ? ok : fail(`key is ${value.slice(13)}, expected ${expected}`);
}

export function validateNir(value: string): boolean {
  return checkNir(value).valid;
}

/** INSEE commune codes used when none is given (Paris 15e, Lyon 3e, Toulouse, Lille). */
const DEFAULT_PLACES = ['75115', '69383', '31555', '59350'] as const;

/** A NIR for the given (or random) sex, birth date and INSEE commune code of birth, with a random order number. */
export function generateNir(rng: SeededRandom, facts: Partial<PersonFacts> = {}): string {
  const { year, month } = parseIsoDate(facts.dateOfBirth ?? randomDate(rng));
  const gender = facts.gender ?? randomGender(rng);
  const place = (facts.placeCode ?? rng.pick(DEFAULT_PLACES)).toUpperCase();
  if (!/^(\d{2}|2A|2B)\d{3}$/.test(place)) throw new RangeError(`not an INSEE commune code: '${place}'`);
  const body = `${gender === 'male' ? 1 : 2}${pad(year % 100, 2)}${pad(month, 2)}${place}${pad(rng.range(1, 999), 3)}`;
  return `${body}${nirKey(body)}`;
}

/**
 * French registration number (NIR, "numéro de sécurité sociale"): sex, year and month of birth, place of birth
 * (INSEE code), order number, key = 97 − (number mod 97).
 * @see https://www.insee.fr/fr/metadonnees/definition/c1409
 */
export const NIR = defineFormat({
  scheme: 'fr-nir',
  country: 'FR',
  name: 'Registration number in the national register of natural persons',
  nameLocal: 'NIR (numéro d’inscription au répertoire)',
  subject: 'person',
  see: 'https://www.insee.fr/fr/metadonnees/definition/c1409',
  generate: generateNir,
  check: checkNir,
});
