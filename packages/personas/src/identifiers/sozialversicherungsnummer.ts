import type { SeededRandom } from '@kakehashi/core';
import { isCalendarDate, pad, parseIsoDate, randomDate } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok, type PersonFacts } from './z-identifier.ts';

/** Weights of the ten digits; the check digit itself (4th) has weight 0. */
const WEIGHTS = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6] as const;

/** Σ(serial·3,7,9 + DDMMYY·5,8,4,2,1,6) mod 11; 10 means the serial cannot be used. */
function remainder(serial: string, ddmmyy: string): number {
  const ds = `${serial}0${ddmmyy}`;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (ds.charCodeAt(i) - 48) * (WEIGHTS[i] as number);
  return sum % 11;
}

export function checkSozialversicherungsnummer(value: string): IdCheck {
  if (!/^\d{10}$/.test(value)) return fail('Versicherungsnummer must be exactly 10 ASCII digits');
  if (value[0] === '0') return fail('the serial (digits 1–3) must not start with 0');
  const dd = Number(value.slice(4, 6));
  const mm = Number(value.slice(6, 8));
  const yy = Number(value.slice(8, 10));
  if (!isCalendarDate(1900 + yy, mm, dd) && !isCalendarDate(2000 + yy, mm, dd)) {
    return fail(`digits 5–10 are not a date DDMMYY (${value.slice(4)})`);
  }
  const r = remainder(value.slice(0, 3), value.slice(4));
  if (r === 10) return fail('remainder 10: this serial is never issued for this date');
  const actual = Number(value[3]);
  return actual === r ? ok : fail(`check digit (4th) is ${actual}, expected ${r}`);
}

export function validateSozialversicherungsnummer(value: string): boolean {
  return checkSozialversicherungsnummer(value).valid;
}

/** A number for the given (or a random) birth date; as the issuer does, a serial giving remainder 10 is skipped. */
export function generateSozialversicherungsnummer(rng: SeededRandom, facts: Partial<PersonFacts> = {}): string {
  const { year, month, day } = parseIsoDate(facts.dateOfBirth ?? randomDate(rng));
  const ddmmyy = `${pad(day, 2)}${pad(month, 2)}${pad(year % 100, 2)}`;
  let serial = rng.range(100, 998);
  while (remainder(String(serial), ddmmyy) === 10) serial = serial === 999 ? 100 : serial + 1;
  return `${serial}${remainder(String(serial), ddmmyy)}${ddmmyy}`;
}

/**
 * Austrian social insurance number (Versicherungsnummer): 3-digit serial, check digit, birth date DDMMYY.
 * Austria's eID (ID Austria) identifies people by derived sector-specific identifiers (bPK) from the
 * Central Register of Residents; Kakehashi uses the social insurance number as the visible national number
 * instead — a deliberate simplification.
 * @see https://www.sozialversicherung.at/cdscontent/?contentid=10007.820902 (Versicherungsnummer, Dachverband)
 */
export const SOZIALVERSICHERUNGSNUMMER = defineFormat({
  scheme: 'at-svnr',
  country: 'AT',
  name: 'Social insurance number',
  nameLocal: 'Sozialversicherungsnummer (VSNR)',
  subject: 'person',
  see: 'https://www.sozialversicherung.at/cdscontent/?contentid=10007.820902',
  generate: generateSozialversicherungsnummer,
  check: checkSozialversicherungsnummer,
});
