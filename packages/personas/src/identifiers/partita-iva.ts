import type { SeededRandom } from '@kakehashi/core';
import { luhnCheckDigit, luhnSum, pad } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

/** Office codes (digits 8–10): a province office 001–100, or the special codes 120, 121, 888, 999. */
function isOfficeCode(code: number): boolean {
  return (code >= 1 && code <= 100) || code === 120 || code === 121 || code === 888 || code === 999;
}

export function checkPartitaIva(value: string): IdCheck {
  if (!/^\d{11}$/.test(value)) return fail('partita IVA must be exactly 11 ASCII digits');
  const office = Number(value.slice(7, 10));
  if (!isOfficeCode(office)) return fail(`office code (digits 8–10) ${value.slice(7, 10)} is not assigned`);
  if (luhnSum(value) % 10 !== 0) {
    return fail(`check digit is ${value[10]}, expected ${luhnCheckDigit(value.slice(0, 10))}`);
  }
  return ok;
}

export function validatePartitaIva(value: string): boolean {
  return checkPartitaIva(value).valid;
}

export function generatePartitaIva(rng: SeededRandom): string {
  const body = `${rng.digits(7)}${pad(rng.range(1, 100), 3)}`;
  return `${body}${luhnCheckDigit(body)}`;
}

/**
 * Italian VAT number (partita IVA): 7-digit serial, 3-digit office code, Luhn check digit.
 * @see https://www.agenziaentrate.gov.it/portale/web/guest/schede/istanze/richiesta-ts_cf/informazioni-codificazione-pnf (DM 23/12/1976)
 */
export const PARTITA_IVA = defineFormat({
  scheme: 'it-partita-iva',
  country: 'IT',
  name: 'VAT number',
  nameLocal: 'partita IVA',
  subject: 'organisation',
  see: 'https://www.agenziaentrate.gov.it/portale/web/guest/schede/istanze/richiesta-ts_cf/informazioni-codificazione-pnf',
  generate: generatePartitaIva,
  check: checkPartitaIva,
});
