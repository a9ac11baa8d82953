import { KakehashiError } from '@kakehashi/core';
import { COUNTRY_CODES, type CountryCode, type CountryInfo, LOA } from './z-country.ts';

const COUNTRIES: readonly CountryInfo[] = Object.freeze([
  {
    code: 'AT',
    name: 'Austria',
    nameLocal: 'Österreich',
    personIdScheme: 'at-svnr',
    organisationIdScheme: 'at-uid',
    loa: LOA.high,
  },
  {
    code: 'DE',
    name: 'Germany',
    nameLocal: 'Deutschland',
    personIdScheme: 'de-steuer-id',
    organisationIdScheme: 'de-ust-idnr',
    loa: LOA.high,
  },
  {
    code: 'EE',
    name: 'Estonia',
    nameLocal: 'Eesti',
    personIdScheme: 'ee-isikukood',
    organisationIdScheme: 'ee-registrikood',
    loa: LOA.high,
  },
  {
    code: 'ES',
    name: 'Spain',
    nameLocal: 'España',
    personIdScheme: 'es-dni',
    organisationIdScheme: 'es-cif',
    loa: LOA.high,
  },
  // France's notified schemes (FranceConnect+ providers) are at "substantial"; Kakehashi models that level.
  {
    code: 'FR',
    name: 'France',
    nameLocal: 'France',
    personIdScheme: 'fr-nir',
    organisationIdScheme: 'fr-siren',
    loa: LOA.substantial,
  },
  {
    code: 'IT',
    name: 'Italy',
    nameLocal: 'Italia',
    personIdScheme: 'it-codice-fiscale',
    organisationIdScheme: 'it-partita-iva',
    loa: LOA.high,
  },
  // Japan is outside eIDAS; Kakehashi maps JPKI (card + PIN) to the eIDAS "high" URI so that it interoperates.
  {
    code: 'JP',
    name: 'Japan',
    nameLocal: '日本',
    personIdScheme: 'jp-my-number',
    organisationIdScheme: 'jp-corporate-number',
    loa: LOA.high,
  },
] satisfies CountryInfo[]);

/** The countries with personas, in a fixed order (AT, DE, EE, ES, FR, IT, JP). */
export function listCountries(): readonly CountryInfo[] {
  return COUNTRIES;
}

/** True when `cc` is a country this package has personas for. */
export function isCountryCode(cc: string): cc is CountryCode {
  return (COUNTRY_CODES as readonly string[]).includes(cc);
}

/**
 * The country entry for `cc` (case-insensitive).
 * @throws KakehashiError `unknown-country` listing the known codes.
 */
export function getCountry(cc: string): CountryInfo {
  const code = cc.toUpperCase();
  const found = COUNTRIES.find((c) => c.code === code);
  if (!found) {
    throw new KakehashiError(
      'unknown-country',
      `[Kakehashi personas] No personas for country '${cc}'. Known countries: ${COUNTRY_CODES.join(', ')}.`,
    );
  }
  return found;
}
