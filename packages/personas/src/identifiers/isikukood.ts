import type { SeededRandom } from '@kakehashi/core';
import { isCalendarDate, pad, parseIsoDate, randomDate, randomGender, weightedSum } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok, type PersonFacts } from './z-identifier.ts';

const STAGE_1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1] as const;
const STAGE_2 = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3] as const;

/**
 * Estonian check digit (also used by the registry code): Σ with weights 1..9,1 mod 11; if that is 10, Σ with
 * weights 3..9,1,2,3 mod 11; if that is 10 again, 0. `body` has up to 10 digits.
 * @see https://www.riigiteataja.ee/akt/106032012004 (EVS 585:2007 "Isikukood. Struktuur", as referenced by the population register rules)
 */
export function estonianCheckDigit(body: string): number {
  const first = weightedSum(body, STAGE_1) % 11;
  if (first < 10) return first;
  const second = weightedSum(body, STAGE_2) % 11;
  return second < 10 ? second : 0;
}

const CENTURY: Record<string, number> = { '1': 1800, '2': 1800, '3': 1900, '4': 1900, '5': 2000, '6': 2000 };

export function checkIsikukood(value: string): IdCheck {
  if (!/^\d{11}$/.test(value)) return fail('isikukood must be exactly 11 ASCII digits');
  const century = CENTURY[value[0] as string];
  if (century === undefined) return fail(`first digit (century and sex) must be 1–6, got ${value[0]}`);
  const year = century + Number(value.slice(1, 3));
  if (!isCalendarDate(year, Number(value.slice(3, 5)), Number(value.slice(5, 7)))) {
    return fail(`digits 2–7 are not a date of birth (${value.slice(1, 7)})`);
  }
  const expected = estonianCheckDigit(value.slice(0, 10));
  const actual = Number(value[10]);
  return actual === expected ? ok : fail(`check digit is ${actual}, expected ${expected}`);
}

export function validateIsikukood(value: string): boolean {
  return checkIsikukood(value).valid;
}

/** An isikukood for the given (or a random) birth date and sex, with a random 3-digit serial. */
export function generateIsikukood(rng: SeededRandom, facts: Partial<PersonFacts> = {}): string {
  const { year, month, day } = parseIsoDate(facts.dateOfBirth ?? randomDate(rng));
  if (year < 1800 || year > 2099) throw new RangeError('isikukood encodes birth years 1800–2099 only');
  const gender = facts.gender ?? randomGender(rng);
  const g = 2 * Math.floor((year - 1800) / 100) + (gender === 'male' ? 1 : 2);
  const body = `${g}${pad(year % 100, 2)}${pad(month, 2)}${pad(day, 2)}${rng.digits(3)}`;
  return `${body}${estonianCheckDigit(body)}`;
}

/**
 * Estonian personal identification code (isikukood): GYYMMDDSSSC — century/sex digit, birth date, serial,
 * two-stage mod 11 check digit.
 * @see https://www.riigiteataja.ee/akt/106032012004
 */
export const ISIKUKOOD = defineFormat({
  scheme: 'ee-isikukood',
  country: 'EE',
  name: 'Personal identification code',
  nameLocal: 'isikukood',
  subject: 'person',
  see: 'https://www.riigiteataja.ee/akt/106032012004',
  generate: generateIsikukood,
  check: checkIsikukood,
});
