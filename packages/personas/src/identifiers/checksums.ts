import type { SeededRandom } from '@kakehashi/core';
import type { Gender } from './z-identifier.ts';

/** Digits of a decimal string as numbers. */
export function toDigits(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0) - 48);
}

/** Σ dᵢ·wᵢ over the digits of `s`, left to right. */
export function weightedSum(s: string, weights: readonly number[]): number {
  return toDigits(s).reduce((acc, d, i) => acc + d * (weights[i] as number), 0);
}

/**
 * The Luhn sum of `s` (every second digit from the right doubled, digits of products summed).
 * A number with its check digit is valid when this is ≡ 0 mod 10.
 * @see https://www.iso.org/standard/70484.html (ISO/IEC 7812-1 Annex B)
 */
export function luhnSum(s: string): number {
  const ds = toDigits(s).reverse();
  let sum = 0;
  for (let i = 0; i < ds.length; i++) {
    let d = ds[i] as number;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/** The Luhn check digit to append to `body`. */
export function luhnCheckDigit(body: string): number {
  return (10 - (luhnSum(`${body}0`) % 10)) % 10;
}

/**
 * ISO 7064 MOD 11,10 (hybrid system) check digit of `body`.
 * @see https://www.iso.org/standard/31531.html
 */
export function iso7064Mod11_10CheckDigit(body: string): number {
  let product = 10;
  for (const d of toDigits(body)) {
    let sum = (d + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  return (11 - product) % 10;
}

/** True when `yyyy-mm-dd` is a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Splits an ISO date (YYYY-MM-DD) into numbers; throws on anything else. */
export function parseIsoDate(date: string): { year: number; month: number; day: number } {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`expected a YYYY-MM-DD date, got '${date}'`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isCalendarDate(year, month, day)) throw new RangeError(`not a calendar date: '${date}'`);
  return { year, month, day };
}

/** A uniform date of birth between `fromYear` and `toYear` (inclusive), as YYYY-MM-DD. */
export function randomDate(rng: SeededRandom, fromYear = 1940, toYear = 2005): string {
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear, 11, 31);
  const days = Math.floor((end - start) / 86_400_000);
  return new Date(start + rng.int(days + 1) * 86_400_000).toISOString().slice(0, 10);
}

export function randomGender(rng: SeededRandom): Gender {
  return rng.int(2) === 0 ? 'male' : 'female';
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
