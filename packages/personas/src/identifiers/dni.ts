import type { SeededRandom } from '@kakehashi/core';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** The control letter of an 8-digit DNI number: number mod 23 into TRWAGMYFPDXBNJZSQVHLCKE. */
export function dniLetter(number8: string): string {
  if (!/^\d{8}$/.test(number8)) throw new RangeError('dniLetter: expected 8 digits');
  return LETTERS[Number(number8) % 23] as string;
}

export function checkDni(value: string): IdCheck {
  if (!/^\d{8}[A-Z]$/.test(value)) return fail('DNI must be 8 ASCII digits followed by an upper-case letter');
  const expected = dniLetter(value.slice(0, 8));
  return value[8] === expected ? ok : fail(`control letter is ${value[8]}, expected ${expected}`);
}

export function validateDni(value: string): boolean {
  return checkDni(value).valid;
}

export function generateDni(rng: SeededRandom): string {
  const n = rng.digits(8);
  return `${n}${dniLetter(n)}`;
}

/**
 * Spanish national identity document number (DNI / NIF of a Spanish national): 8 digits + control letter.
 * @see https://www.interior.gob.es/opencms/es/servicios-al-ciudadano/tramites-y-gestiones/dni/calculo-del-digito-de-control-del-nif-nie/
 */
export const DNI = defineFormat({
  scheme: 'es-dni',
  country: 'ES',
  name: 'National identity document number',
  nameLocal: 'DNI (Documento Nacional de Identidad)',
  subject: 'person',
  see: 'https://www.interior.gob.es/opencms/es/servicios-al-ciudadano/tramites-y-gestiones/dni/calculo-del-digito-de-control-del-nif-nie/',
  generate: generateDni,
  check: checkDni,
});
