import type { SeededRandom } from '@kakehashi/core';
import { isCalendarDate, pad, parseIsoDate, randomDate, randomGender } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok, type PersonFacts } from './z-identifier.ts';

const MONTHS = 'ABCDEHLMPRST';
// biome-ignore format: the official table reads best as a table
const ODD: Record<string, number> = {
  '0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};
/** Omocodia: the letters that replace digits 0–9 when two people would share a code. */
const OMOCODIA = 'LMNPQRSTUV';
const VOWELS = new Set(['A', 'E', 'I', 'O', 'U']);

function evenValue(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65;
}

/** Upper-case A–Z only: accents dropped (Niccolò → NICCOLO), spaces and apostrophes removed. */
function letters(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
}

function split(s: string): { consonants: string; vowels: string } {
  const ls = [...letters(s)];
  return { consonants: ls.filter((c) => !VOWELS.has(c)).join(''), vowels: ls.filter((c) => VOWELS.has(c)).join('') };
}

/** Surname part: consonants, then vowels, then X, first three. */
export function surnameCode(familyName: string): string {
  const { consonants, vowels } = split(familyName);
  return `${consonants}${vowels}XXX`.slice(0, 3);
}

/** Given-name part: with four or more consonants the 1st, 3rd and 4th; otherwise as for the surname. */
export function givenNameCode(givenName: string): string {
  const { consonants, vowels } = split(givenName);
  if (consonants.length >= 4) return `${consonants[0]}${consonants[2]}${consonants[3]}`;
  return `${consonants}${vowels}XXX`.slice(0, 3);
}

/**
 * The check character of the first 15 characters: odd positions (1st, 3rd, …) through the odd table, even
 * positions through their ordinal value, sum mod 26 as a letter.
 * @see https://www.agenziaentrate.gov.it/portale/web/guest/schede/istanze/richiesta-ts_cf/informazioni-codificazione-pf (DM 23/12/1976, allegato)
 */
export function codiceFiscaleCheckChar(first15: string): string {
  if (!/^[A-Z0-9]{15}$/.test(first15)) throw new RangeError('codiceFiscaleCheckChar: expected 15 characters A–Z/0–9');
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i] as string;
    sum += i % 2 === 0 ? (ODD[c] as number) : evenValue(c);
  }
  return String.fromCharCode(65 + (sum % 26));
}

const SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** Undoes omocodia in a numeric field. */
function digitsOf(s: string): number {
  return Number([...s].map((c) => (OMOCODIA.includes(c) ? String(OMOCODIA.indexOf(c)) : c)).join(''));
}

export function checkCodiceFiscale(value: string): IdCheck {
  if (value.length !== 16) return fail('codice fiscale must be 16 characters');
  if (!SHAPE.test(value))
    return fail('codice fiscale does not match AAAAAA99A99A999A (upper case, omocodia letters allowed)');
  const yy = digitsOf(value.slice(6, 8));
  const month = MONTHS.indexOf(value[8] as string) + 1;
  const rawDay = digitsOf(value.slice(9, 11));
  const day = rawDay > 40 ? rawDay - 40 : rawDay;
  // The century is not encoded: accept the date if it exists in either the 1900s or the 2000s.
  if (!isCalendarDate(1900 + yy, month, day) && !isCalendarDate(2000 + yy, month, day)) {
    return fail(`characters 7–11 are not a date of birth (day field ${value.slice(9, 11)})`);
  }
  const expected = codiceFiscaleCheckChar(value.slice(0, 15));
  return value[15] === expected ? ok : fail(`check character is ${value[15]}, expected ${expected}`);
}

export function validateCodiceFiscale(value: string): boolean {
  return checkCodiceFiscale(value).valid;
}

/** Belfiore codes of a few municipalities, used when no place code is given. */
const DEFAULT_PLACES = ['H501', 'F205', 'F839', 'L219', 'D612', 'A944'] as const;

/**
 * The codice fiscale of a person: derived from the names, birth date, sex and Belfiore place code given (random
 * ones where missing). No omocodia is applied to generated codes.
 */
export function generateCodiceFiscale(rng: SeededRandom, facts: Partial<PersonFacts> = {}): string {
  const familyName = facts.familyName ?? rng.pick(['Rossi', 'Bianchi', 'Esposito', 'Ferrari', 'Russo', 'Colombo']);
  const givenName = facts.givenName ?? rng.pick(['Mario', 'Giulia', 'Luca', 'Chiara', 'Andrea', 'Sofia']);
  const { year, month, day } = parseIsoDate(facts.dateOfBirth ?? randomDate(rng));
  const gender = facts.gender ?? randomGender(rng);
  const place = (facts.placeCode ?? rng.pick(DEFAULT_PLACES)).toUpperCase();
  if (!/^[A-Z]\d{3}$/.test(place)) throw new RangeError(`not a Belfiore code: '${place}'`);
  const first15 =
    surnameCode(familyName) +
    givenNameCode(givenName) +
    pad(year % 100, 2) +
    MONTHS[month - 1] +
    pad(gender === 'female' ? day + 40 : day, 2) +
    place;
  return `${first15}${codiceFiscaleCheckChar(first15)}`;
}

/**
 * Italian tax code of a natural person (codice fiscale): surname, given name, year, month letter, day
 * (+40 for women), Belfiore place code, check character.
 * @see https://www.agenziaentrate.gov.it/portale/web/guest/schede/istanze/richiesta-ts_cf/informazioni-codificazione-pf
 */
export const CODICE_FISCALE = defineFormat({
  scheme: 'it-codice-fiscale',
  country: 'IT',
  name: 'Tax code',
  nameLocal: 'codice fiscale',
  subject: 'person',
  see: 'https://www.agenziaentrate.gov.it/portale/web/guest/schede/istanze/richiesta-ts_cf/informazioni-codificazione-pf',
  generate: generateCodiceFiscale,
  check: checkCodiceFiscale,
});
