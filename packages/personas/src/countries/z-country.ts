import { z } from 'zod';

/** The countries Kakehashi ships personas for: six EU member states and Japan (ISO 3166-1 alpha-2). */
export const COUNTRY_CODES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'] as const;

export const CountryCodeSchema = z.enum(COUNTRY_CODES);
export type CountryCode = z.infer<typeof CountryCodeSchema>;

/**
 * eIDAS levels of assurance, as the SAML `AuthnContextClassRef` URIs.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eIDAS+eID+Profile (eIDAS SAML Attribute Profile §2.4)
 */
export const LOA = {
  low: 'http://eidas.europa.eu/LoA/low',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  high: 'http://eidas.europa.eu/LoA/high',
} as const;

export const LoaSchema = z.enum([LOA.low, LOA.substantial, LOA.high]);
export type Loa = z.infer<typeof LoaSchema>;

export const CountryInfoSchema = z.object({
  code: CountryCodeSchema,
  name: z.string().min(1),
  nameLocal: z.string().min(1),
  /** Scheme id (see `ID_FORMATS`) of the identifier a persona carries as `nationalId`. */
  personIdScheme: z.string().min(1),
  /** Scheme id of the identifier organisations carry. */
  organisationIdScheme: z.string().min(1),
  /** The highest LoA of the country's eID scheme as Kakehashi models it; personas default to it. */
  loa: LoaSchema,
});
export type CountryInfo = z.infer<typeof CountryInfoSchema>;
