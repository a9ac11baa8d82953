import type { SeededRandom } from '@kakehashi/core';
import { estonianCheckDigit } from './isikukood.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

export function checkRegistrikood(value: string): IdCheck {
  if (!/^\d{8}$/.test(value)) return fail('registry code must be exactly 8 ASCII digits');
  if (!'1789'.includes(value[0] as string)) return fail(`first digit (register) must be 1, 7, 8 or 9, got ${value[0]}`);
  const expected = estonianCheckDigit(value.slice(0, 7));
  const actual = Number(value[7]);
  return actual === expected ? ok : fail(`check digit is ${actual}, expected ${expected}`);
}

export function validateRegistrikood(value: string): boolean {
  return checkRegistrikood(value).valid;
}

/** A registry code; commercial companies start with 1 (7 state bodies, 8 non-profits, 9 foundations). */
export function generateRegistrikood(rng: SeededRandom, register: '1' | '7' | '8' | '9' = '1'): string {
  const body = `${register}${rng.digits(6)}`;
  return `${body}${estonianCheckDigit(body)}`;
}

/**
 * Estonian registry code (registrikood) of a legal person: 8 digits, the same check digit as the isikukood.
 * @see https://www.rik.ee/en/e-business-register
 */
export const REGISTRIKOOD = defineFormat({
  scheme: 'ee-registrikood',
  country: 'EE',
  name: 'Registry code',
  nameLocal: 'registrikood',
  subject: 'organisation',
  see: 'https://www.rik.ee/en/e-business-register',
  generate: (rng) => generateRegistrikood(rng),
  check: checkRegistrikood,
});
