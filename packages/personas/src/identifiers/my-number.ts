import type { SeededRandom } from '@kakehashi/core';
import { weightedSum } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

const WEIGHTS = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * Check digit of a My Number (個人番号) body of 11 digits: weights 6,5,4,3,2,7,6,5,4,3,2 left to right,
 * r = Σ mod 11, check = 0 when r ≤ 1, else 11 − r.
 * @see https://laws.e-gov.go.jp/law/426M60000008085 (平成26年総務省令第85号 第5条: 検査用数字を算出する算式)
 */
export function myNumberCheckDigit(body: string): number {
  if (!/^\d{11}$/.test(body)) throw new RangeError('myNumberCheckDigit: the body must be 11 digits');
  const r = weightedSum(body, WEIGHTS) % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** Valid, or why not. */
export function checkMyNumber(value: string): IdCheck {
  if (!/^\d{12}$/.test(value)) return fail('My Number must be exactly 12 ASCII digits');
  const expected = myNumberCheckDigit(value.slice(0, 11));
  const actual = Number(value[11]);
  return actual === expected ? ok : fail(`check digit is ${actual}, expected ${expected}`);
}

/** True when `value` is a well-formed My Number with a correct check digit. */
export function validateMyNumber(value: string): boolean {
  return checkMyNumber(value).valid;
}

/**
 * A random, valid My Number. It is drawn from `rng` alone: it carries no personal data and is not a function of
 * the resident record code (give it its own forked stream).
 */
export function generateMyNumber(rng: SeededRandom): string {
  const body = rng.digits(11);
  return `${body}${myNumberCheckDigit(body)}`;
}

/**
 * Japan's Individual Number (個人番号, "My Number"): 11 digits + 1 check digit.
 * @see https://www.digital.go.jp/policies/mynumber
 */
export const MY_NUMBER = defineFormat({
  scheme: 'jp-my-number',
  country: 'JP',
  name: 'Individual Number (My Number)',
  nameLocal: '個人番号',
  subject: 'person',
  see: 'https://laws.e-gov.go.jp/law/426M60000008085',
  generate: generateMyNumber,
  check: checkMyNumber,
});
