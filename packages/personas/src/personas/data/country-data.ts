import type { SeededRandom } from '@kakehashi/core';
import type { CountryCode, Loa } from '../../countries/z-country.ts';
import type { Gender } from '../../identifiers/z-identifier.ts';
import type { Address } from '../z-persona.ts';

/** A name in the local script, its Latin (ASCII) form when it is not simply the transliteration, its kana reading. */
export interface NameEntry {
  local: string;
  latin?: string;
  kana?: string;
}

/** A place of birth, with the code a national number embeds (Belfiore for IT, INSEE for FR). */
export interface BirthPlace {
  name: string;
  code?: string;
}

/** A residential area: where a street address is drawn. */
export interface Area {
  city: string;
  cityLatin: string;
  postCode: string;
  region?: string;
  regionLatin?: string;
  /** Japan: the town (町名) and its reading; elsewhere unused. */
  town?: string;
  townLatin?: string;
  /** Street names to draw from (falls back to the country's list). */
  streets?: readonly string[];
}

export interface FixedPersona {
  familyName: NameEntry;
  /** Spain: the second surname. */
  secondFamilyName?: NameEntry;
  givenName: NameEntry;
  gender: Gender;
  dateOfBirth: string;
  birthPlace: BirthPlace;
  area: Area;
  loa?: Loa;
}

/** Everything needed to draw personas for one country. */
export interface CountryData {
  code: CountryCode;
  familyNames: readonly NameEntry[];
  givenNames: { male: readonly NameEntry[]; female: readonly NameEntry[] };
  /** Spain: people carry two surnames. */
  twoSurnames?: boolean;
  birthPlaces: readonly BirthPlace[];
  areas: readonly Area[];
  address(rng: SeededRandom, area: Area): Address;
  phone(rng: SeededRandom): string;
  fixed: readonly FixedPersona[];
}
