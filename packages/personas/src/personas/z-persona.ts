import { z } from 'zod';
import { CountryCodeSchema, LoaSchema } from '../countries/z-country.ts';
import { validateMyNumber } from '../identifiers/my-number.ts';
import { getIdFormat } from '../identifiers/registry.ts';
import { validateResidentRecordCode } from '../identifiers/resident-record-code.ts';
import { GenderSchema, NationalIdSchema } from '../identifiers/z-identifier.ts';

/** Latin-script, ASCII-only text (an ICAO 9303-style transliteration). */
const LatinAscii = z.string().regex(/^[A-Za-z][A-Za-z' -]*$/, 'ASCII Latin letters, spaces, hyphens, apostrophes');
const Katakana = z.string().regex(/^[\u30A0-\u30FF]+$/, 'full-width katakana');

export const AddressSchema = z.object({
  /** Street and house number (Japan: town, chōme, ban, gō). */
  street: z.string().min(1),
  postCode: z.string().min(1),
  city: z.string().min(1),
  /** Prefecture, province or county where the country uses one in addresses. */
  region: z.string().min(1).optional(),
  countryCode: CountryCodeSchema,
  /** The whole address on one line in the local script and order. */
  full: z.string().min(1),
  /** The whole address on one line in Latin script. */
  fullLatin: z.string().min(1),
});
export type Address = z.infer<typeof AddressSchema>;

/** Japan's basic four facts (基本4情報) as the resident register and the JPKI signature certificate hold them. */
export const FourFactsSchema = z.object({
  name: z.string().min(1),
  dateOfBirth: z.iso.date(),
  gender: GenderSchema,
  address: z.string().min(1),
});
export type FourFacts = z.infer<typeof FourFactsSchema>;

export const PersonaSchema = z
  .object({
    /** Stable id, `<cc>-NNN` in lower case, e.g. `jp-001`. */
    id: z.string().regex(/^(at|de|ee|es|fr|it|jp)-\d{3,}$/),
    country: CountryCodeSchema,
    familyName: z.string().min(1),
    givenName: z.string().min(1),
    familyNameLatin: LatinAscii,
    givenNameLatin: LatinAscii,
    /** Japan only: the reading of the names in katakana (フリガナ). */
    kana: z.object({ familyName: Katakana, givenName: Katakana }).optional(),
    dateOfBirth: z.iso.date(),
    gender: GenderSchema,
    placeOfBirth: z.string().min(1),
    address: AddressSchema,
    nationalId: NationalIdSchema,
    email: z.email(),
    phone: z.string().regex(/^\+\d{1,3}( [\d-]+)+$/),
    loa: LoaSchema,
    /** Japan only: Individual Number (synthetic). */
    myNumber: z.string().optional(),
    /** Japan only: resident record code (synthetic, independent of the My Number). */
    residentRecordCode: z.string().optional(),
    /** Japan only: the basic four facts. */
    fourFacts: FourFactsSchema.optional(),
    fictional: z.literal(true),
  })
  .superRefine((p, ctx) => {
    if (p.id.slice(0, 2).toUpperCase() !== p.country) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `id prefix must be ${p.country.toLowerCase()}-` });
    }
    if (p.address.countryCode !== p.country) {
      ctx.addIssue({
        code: 'custom',
        path: ['address', 'countryCode'],
        message: 'address must be in the persona country',
      });
    }
    let format: ReturnType<typeof getIdFormat> | undefined;
    try {
      format = getIdFormat(p.nationalId.scheme);
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['nationalId', 'scheme'],
        message: `unknown scheme ${p.nationalId.scheme}`,
      });
    }
    if (format) {
      if (format.country !== p.country || format.subject !== 'person') {
        ctx.addIssue({
          code: 'custom',
          path: ['nationalId', 'scheme'],
          message: 'scheme is not a personal id of this country',
        });
      }
      const check = format.check(p.nationalId.value);
      if (!check.valid) ctx.addIssue({ code: 'custom', path: ['nationalId', 'value'], message: check.reason });
    }
    const jpFields = ['kana', 'myNumber', 'residentRecordCode', 'fourFacts'] as const;
    if (p.country === 'JP') {
      for (const f of jpFields) {
        if (p[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: `${f} is required for Japan` });
      }
      if (p.myNumber !== undefined && !validateMyNumber(p.myNumber)) {
        ctx.addIssue({ code: 'custom', path: ['myNumber'], message: 'not a valid My Number' });
      }
      if (p.myNumber !== p.nationalId.value) {
        ctx.addIssue({ code: 'custom', path: ['nationalId', 'value'], message: 'nationalId must be the My Number' });
      }
      if (p.residentRecordCode !== undefined && !validateResidentRecordCode(p.residentRecordCode)) {
        ctx.addIssue({ code: 'custom', path: ['residentRecordCode'], message: 'not 11 digits' });
      }
    } else {
      for (const f of jpFields) {
        if (p[f] !== undefined)
          ctx.addIssue({ code: 'custom', path: [f], message: `${f} is for Japanese personas only` });
      }
    }
  });
/** A synthetic citizen. */
export type Persona = z.infer<typeof PersonaSchema>;
