import type { SeededRandom } from '@kakehashi/core';
import { luhnSum } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

/** Check digit of the 7 digits after ATU: (96 − Luhn sum with weights 1,2,1,2,1,2,1) mod 10. */
export function atUidCheckDigit(body7: string): number {
  if (!/^\d{7}$/.test(body7)) throw new RangeError('atUidCheckDigit: expected 7 digits');
  // luhnSum doubles every second digit from the right: over 7 digits that is the weights 1,2,1,2,1,2,1.
  return (96 - luhnSum(body7)) % 10;
}

export function checkAtUid(value: string): IdCheck {
  if (!/^ATU\d{8}$/.test(value)) return fail("UID must be 'ATU' followed by 8 ASCII digits");
  const expected = atUidCheckDigit(value.slice(3, 10));
  const actual = Number(value[10]);
  return actual === expected ? ok : fail(`check digit is ${actual}, expected ${expected}`);
}

export function validateAtUid(value: string): boolean {
  return checkAtUid(value).valid;
}

export function generateAtUid(rng: SeededRandom): string {
  const body = rng.digits(7);
  return `ATU${body}${atUidCheckDigit(body)}`;
}

/**
 * Austrian VAT identification number (Umsatzsteuer-Identifikationsnummer, UID): ATU + 7 digits + check digit.
 * @see https://www.usp.gv.at/themen/steuern-finanzen/umsatzsteuer-ueberblick/weitere-informationen-zur-umsatzsteuer/umsatzsteuer-identifikationsnummer.html
 */
export const AT_UID = defineFormat({
  scheme: 'at-uid',
  country: 'AT',
  name: 'VAT identification number',
  nameLocal: 'Umsatzsteuer-Identifikationsnummer (UID)',
  subject: 'organisation',
  see: 'https://www.usp.gv.at/themen/steuern-finanzen/umsatzsteuer-ueberblick/weitere-informationen-zur-umsatzsteuer/umsatzsteuer-identifikationsnummer.html',
  generate: generateAtUid,
  check: checkAtUid,
});
