import type { SeededRandom } from '@kakehashi/core';
import { z } from 'zod';
import type { CountryCode } from '../countries/z-country.ts';

export const GenderSchema = z.enum(['male', 'female']);
export type Gender = z.infer<typeof GenderSchema>;

/** The result of checking an identifier: valid, or the first rule it breaks. */
export const IdCheckSchema = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(true) }),
  z.object({ valid: z.literal(false), reason: z.string() }),
]);
export type IdCheck = z.infer<typeof IdCheckSchema>;

/** A national identifier as a persona or organisation carries it. */
export const NationalIdSchema = z.object({ scheme: z.string().min(1), value: z.string().min(1) });
export type NationalId = z.infer<typeof NationalIdSchema>;

/**
 * Facts some formats encode (birth date, sex, names, place code). Formats that need a fact draw a random one
 * when it is missing, so `generate(rng)` always works.
 */
export interface PersonFacts {
  /** YYYY-MM-DD */
  dateOfBirth: string;
  gender: Gender;
  familyName: string;
  givenName: string;
  /** Place code the format embeds: Belfiore code (IT), INSEE commune code (FR). */
  placeCode: string;
}

/** One national identifier format: how to draw a valid value and how to check one. */
export interface IdentifierFormat {
  /** Stable scheme id, e.g. `jp-my-number`. */
  readonly scheme: string;
  readonly country: CountryCode;
  readonly name: string;
  readonly nameLocal: string;
  readonly subject: 'person' | 'organisation';
  /** Where the format (and its check digit) is defined. */
  readonly see: string;
  /** A valid value drawn from `rng` (and from `facts` where the format encodes them). */
  generate(rng: SeededRandom, facts?: Partial<PersonFacts>): string;
  /** Valid, or the first rule `value` breaks. */
  check(value: string): IdCheck;
  /** `check(value).valid`. */
  validate(value: string): boolean;
}

export type IdentifierFormatDefinition = Omit<IdentifierFormat, 'validate'>;

/** Completes a format definition with `validate`. */
export function defineFormat(def: IdentifierFormatDefinition): IdentifierFormat {
  return Object.freeze({ ...def, validate: (value: string) => def.check(value).valid });
}

export const ok: IdCheck = Object.freeze({ valid: true });
export function fail(reason: string): IdCheck {
  return { valid: false, reason };
}
