import type { SeededRandom } from '@kakehashi/core';
import { defineFormat, fail, type IdCheck, ok } from './z-identifier.ts';

/** Valid (11 ASCII digits), or why not. */
export function checkResidentRecordCode(value: string): IdCheck {
  return /^\d{11}$/.test(value) ? ok : fail('resident record code must be exactly 11 ASCII digits');
}

export function validateResidentRecordCode(value: string): boolean {
  return checkResidentRecordCode(value).valid;
}

/** 11 random digits, from `rng` only (never derived from, nor used to derive, the My Number). */
export function generateResidentRecordCode(rng: SeededRandom): string {
  return rng.digits(11);
}

/**
 * Resident record code (住民票コード): the 11-digit code of the Basic Resident Register, from which the
 * Cooperation Network derives per-agency codes. Kakehashi treats all 11 digits as opaque random digits
 * (a deliberate simplification: no check digit is verified).
 * @see https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/daityo/juuki01.html
 */
export const RESIDENT_RECORD_CODE = defineFormat({
  scheme: 'jp-resident-record-code',
  country: 'JP',
  name: 'Resident record code',
  nameLocal: '住民票コード',
  subject: 'person',
  see: 'https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/daityo/juuki01.html',
  generate: generateResidentRecordCode,
  check: checkResidentRecordCode,
});
