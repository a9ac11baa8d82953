import type { SeededRandom } from '@kakehashi/core';
import { luhnCheckDigit, luhnSum } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

export function checkSiren(value: string): IdCheck {
  if (!/^\d{9}$/.test(value)) return fail('SIREN must be exactly 9 ASCII digits');
  if (luhnSum(value) % 10 !== 0)
    return fail(`check digit is ${value[8]}, expected ${luhnCheckDigit(value.slice(0, 8))}`);
  return ok;
}

export function validateSiren(value: string): boolean {
  return checkSiren(value).valid;
}

export function generateSiren(rng: SeededRandom): string {
  const body = `${rng.range(1, 9)}${rng.digits(7)}`;
  return `${body}${luhnCheckDigit(body)}`;
}

/**
 * French company identification number (SIREN): 8 digits + Luhn check digit.
 * @see https://www.insee.fr/fr/metadonnees/definition/c1085
 */
export const SIREN = defineFormat({
  scheme: 'fr-siren',
  country: 'FR',
  name: 'Company identification number',
  nameLocal: 'SIREN',
  subject: 'organisation',
  see: 'https://www.insee.fr/fr/metadonnees/definition/c1085',
  generate: generateSiren,
  check: checkSiren,
});
