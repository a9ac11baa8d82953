import type { SeededRandom } from '@kakehashi/core';
import { toDigits } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

/**
 * Check digit (the leading digit) of a Japanese corporate number for its 12-digit base number:
 * 9 − ((Σ Pₙ·Qₙ) mod 9), Pₙ the n-th digit counted from the right, Qₙ = 1 for odd n and 2 for even n.
 * @see https://www.houjin-bangou.nta.go.jp/documents/houjinbangoushourei.pdf (法人番号の指定等に関する省令, 平成26年財務省令第70号, 第2条)
 */
export function corporateNumberCheckDigit(base: string): number {
  if (!/^\d{12}$/.test(base)) throw new RangeError('corporateNumberCheckDigit: the base number must be 12 digits');
  const ds = toDigits(base).reverse();
  const sum = ds.reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 1 : 2), 0);
  return 9 - (sum % 9);
}

export function checkCorporateNumber(value: string): IdCheck {
  if (!/^\d{13}$/.test(value)) return fail('corporate number must be exactly 13 ASCII digits');
  const expected = corporateNumberCheckDigit(value.slice(1));
  const actual = Number(value[0]);
  return actual === expected ? ok : fail(`check digit (first digit) is ${actual}, expected ${expected}`);
}

export function validateCorporateNumber(value: string): boolean {
  return checkCorporateNumber(value).valid;
}

export function generateCorporateNumber(rng: SeededRandom): string {
  const base = rng.digits(12);
  return `${corporateNumberCheckDigit(base)}${base}`;
}

/**
 * Japan's corporate number (法人番号): 1 check digit + 12-digit base number, public, assigned by the
 * National Tax Agency.
 * @see https://www.houjin-bangou.nta.go.jp/en/setsumei/
 */
export const CORPORATE_NUMBER = defineFormat({
  scheme: 'jp-corporate-number',
  country: 'JP',
  name: 'Corporate Number',
  nameLocal: '法人番号',
  subject: 'organisation',
  see: 'https://www.houjin-bangou.nta.go.jp/documents/houjinbangoushourei.pdf',
  generate: generateCorporateNumber,
  check: checkCorporateNumber,
});
