import type { SeededRandom } from '@kakehashi/core';
import { luhnSum } from './checksums.ts';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

const CONTROL_LETTERS = 'JABCDEFGHI';
/** Entity types whose control is always a digit (A S.A., B S.L., E comunidad de bienes, H propietarios). */
const DIGIT_TYPES = 'ABEH';
/** Entity types whose control is always a letter (public bodies, foreign, religious, non-resident). */
const LETTER_TYPES = 'KPQSNW';
const ALL_TYPES = 'ABCDEFGHJNPQRSUVW';

/** The control value 0–9 of the 7 digits: doubled (digit-summed) odd positions plus even positions. */
export function cifControl(body7: string): number {
  if (!/^\d{7}$/.test(body7)) throw new RangeError('cifControl: expected 7 digits');
  return (10 - (luhnSum(`${body7}0`) % 10)) % 10;
}

export function checkCif(value: string): IdCheck {
  const m = /^([A-Z])(\d{7})([0-9A-J])$/.exec(value);
  if (!m) return fail('CIF must be a letter, 7 ASCII digits and a control digit or letter');
  const [, type, body, control] = m as unknown as [string, string, string, string];
  if (!ALL_TYPES.includes(type)) return fail(`entity-type letter ${type} is not used`);
  const c = cifControl(body);
  const asDigit = String(c);
  const asLetter = CONTROL_LETTERS[c] as string;
  if (DIGIT_TYPES.includes(type)) return control === asDigit ? ok : fail(`control is ${control}, expected ${asDigit}`);
  if (LETTER_TYPES.includes(type))
    return control === asLetter ? ok : fail(`control is ${control}, expected ${asLetter}`);
  return control === asDigit || control === asLetter
    ? ok
    : fail(`control is ${control}, expected ${asDigit} or ${asLetter}`);
}

export function validateCif(value: string): boolean {
  return checkCif(value).valid;
}

/** A CIF of a company (type A S.A. or B S.L., digit control), province code 01–52 then a serial. */
export function generateCif(rng: SeededRandom, type: 'A' | 'B' = rng.pick(['A', 'B'] as const)): string {
  const body = `${String(rng.range(1, 52)).padStart(2, '0')}${rng.digits(5)}`;
  return `${type}${body}${cifControl(body)}`;
}

/**
 * Spanish tax identification code of a legal entity (CIF, now the NIF of a persona jurídica): entity-type
 * letter, 7 digits, control digit or letter.
 * @see https://www.boe.es/buscar/act.php?id=BOE-A-2008-15227 (Orden EHA/451/2008)
 */
export const CIF = defineFormat({
  scheme: 'es-cif',
  country: 'ES',
  name: 'Tax identification code of a legal entity',
  nameLocal: 'NIF de persona jurídica (CIF)',
  subject: 'organisation',
  see: 'https://www.boe.es/buscar/act.php?id=BOE-A-2008-15227',
  generate: (rng) => generateCif(rng),
  check: checkCif,
});
