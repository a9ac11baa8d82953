import type { SeededRandom } from '@kakehashi/core';
import { iso7064Mod11_10CheckDigit } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

/**
 * The structure rule of the first ten digits: no leading zero; exactly one digit occurs twice or three times,
 * every other digit at most once; a digit occurring three times never three times in a row.
 */
function structureProblem(first10: string): string | undefined {
  if (first10[0] === '0') return 'first digit must not be 0';
  const counts = new Map<string, number>();
  for (const c of first10) counts.set(c, (counts.get(c) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1);
  if (repeated.length !== 1) return 'exactly one digit must occur more than once in the first ten digits';
  const [digit, n] = repeated[0] as [string, number];
  if (n > 3) return `digit ${digit} occurs ${n} times (at most 3 allowed)`;
  if (n === 3 && first10.includes(digit.repeat(3))) return `digit ${digit} occurs three times in a row`;
  return undefined;
}

export function checkSteuerId(value: string): IdCheck {
  if (!/^\d{11}$/.test(value)) return fail('Steuer-IdNr must be exactly 11 ASCII digits');
  const problem = structureProblem(value.slice(0, 10));
  if (problem) return fail(problem);
  const expected = iso7064Mod11_10CheckDigit(value.slice(0, 10));
  const actual = Number(value[10]);
  return actual === expected ? ok : fail(`check digit is ${actual}, expected ${expected}`);
}

export function validateSteuerId(value: string): boolean {
  return checkSteuerId(value).valid;
}

export function generateSteuerId(rng: SeededRandom): string {
  for (;;) {
    const repeated = rng.int(10);
    const times = rng.int(4) === 0 ? 3 : 2;
    // The other digits: all but `repeated`, minus (times − 1) left out at random.
    const others = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d !== repeated);
    for (let k = 0; k < times - 1; k++) others.splice(rng.int(others.length), 1);
    const digits = [...others, ...Array<number>(times).fill(repeated)];
    for (let i = digits.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [digits[i], digits[j]] = [digits[j] as number, digits[i] as number];
    }
    const first10 = digits.join('');
    if (structureProblem(first10) === undefined) return `${first10}${iso7064Mod11_10CheckDigit(first10)}`;
  }
}

/**
 * German tax identification number (steuerliche Identifikationsnummer, § 139b AO): 10 digits with a structure
 * rule and an ISO 7064 MOD 11,10 check digit. The German eID card carries no national number; Kakehashi uses
 * the Steuer-IdNr as the persona's national identifier.
 * @see https://www.bzst.de/DE/Privatpersonen/SteuerlicheIdentifikationsnummer/steuerlicheidentifikationsnummer_node.html
 */
export const STEUER_ID = defineFormat({
  scheme: 'de-steuer-id',
  country: 'DE',
  name: 'Tax identification number',
  nameLocal: 'Steuerliche Identifikationsnummer (IdNr)',
  subject: 'person',
  see: 'https://www.bzst.de/DE/Privatpersonen/SteuerlicheIdentifikationsnummer/steuerlicheidentifikationsnummer_node.html',
  generate: generateSteuerId,
  check: checkSteuerId,
});
