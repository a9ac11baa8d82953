import type { SeededRandom } from '@kakehashi/core';
import { iso7064Mod11_10CheckDigit } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

export function checkUstIdNr(value: string): IdCheck {
  if (!/^DE\d{9}$/.test(value)) return fail("USt-IdNr must be 'DE' followed by 9 ASCII digits");
  if (value[2] === '0') return fail('the first digit after DE must not be 0');
  const expected = iso7064Mod11_10CheckDigit(value.slice(2, 10));
  const actual = Number(value[10]);
  return actual === expected ? ok : fail(`check digit is ${actual}, expected ${expected}`);
}

export function validateUstIdNr(value: string): boolean {
  return checkUstIdNr(value).valid;
}

export function generateUstIdNr(rng: SeededRandom): string {
  const body = `${rng.range(1, 9)}${rng.digits(7)}`;
  return `DE${body}${iso7064Mod11_10CheckDigit(body)}`;
}

/**
 * German VAT identification number (Umsatzsteuer-Identifikationsnummer): DE + 8 digits + ISO 7064 MOD 11,10
 * check digit.
 * @see https://www.bzst.de/DE/Unternehmen/Identifikationsnummern/Umsatzsteuer-Identifikationsnummer/umsatzsteuer-identifikationsnummer_node.html
 */
export const UST_IDNR = defineFormat({
  scheme: 'de-ust-idnr',
  country: 'DE',
  name: 'VAT identification number',
  nameLocal: 'Umsatzsteuer-Identifikationsnummer (USt-IdNr.)',
  subject: 'organisation',
  see: 'https://www.bzst.de/DE/Unternehmen/Identifikationsnummern/Umsatzsteuer-Identifikationsnummer/umsatzsteuer-identifikationsnummer_node.html',
  generate: generateUstIdNr,
  check: checkUstIdNr,
});
