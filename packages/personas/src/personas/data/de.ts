import type { SeededRandom } from '@kakehashi/core';
import { LOA } from '../../countries/z-country.ts';
import { transliterate } from '../transliterate.ts';
import type { Address } from '../z-persona.ts';
import type { Area, CountryData, NameEntry } from './country-data.ts';

const n = (local: string): NameEntry => ({ local });
const STREETS = [
  'Hauptstraße',
  'Bahnhofstraße',
  'Schillerstraße',
  'Goethestraße',
  'Gartenstraße',
  'Lindenstraße',
  'Am Marktplatz',
  'Mühlenweg',
  'Bergstraße',
  'Kirchgasse',
];
const AREAS: readonly Area[] = [
  { city: 'Köln', cityLatin: 'Koeln', postCode: '50667' },
  { city: 'Berlin', cityLatin: 'Berlin', postCode: '10115' },
  { city: 'Hamburg', cityLatin: 'Hamburg', postCode: '20095' },
  { city: 'München', cityLatin: 'Muenchen', postCode: '80331' },
  { city: 'Frankfurt am Main', cityLatin: 'Frankfurt am Main', postCode: '60311' },
  { city: 'Leipzig', cityLatin: 'Leipzig', postCode: '04109' },
  { city: 'Stuttgart', cityLatin: 'Stuttgart', postCode: '70173' },
  { city: 'Dresden', cityLatin: 'Dresden', postCode: '01067' },
];

/** German address: `Straße Nr, PLZ Ort`. */
export function germanStyleAddress(countryCode: 'DE' | 'AT', streets: readonly string[]) {
  return (rng: SeededRandom, area: Area): Address => {
    const street = `${rng.pick(area.streets ?? streets)} ${rng.range(1, 120)}${countryCode === 'AT' ? `/${rng.range(1, 24)}` : ''}`;
    const full = `${street}, ${area.postCode} ${area.city}`;
    const fullLatin = `${transliterate(full)}, ${countryCode === 'AT' ? 'Austria' : 'Germany'}`;
    return { street, postCode: area.postCode, city: area.city, countryCode, full, fullLatin };
  };
}

export const DE: CountryData = {
  code: 'DE',
  familyNames: [
    'Müller',
    'Schmidt',
    'Schneider',
    'Fischer',
    'Weber',
    'Meyer',
    'Wagner',
    'Becker',
    'Schäfer',
    'Koch',
    'Groß',
    'Köhler',
  ].map(n),
  givenNames: {
    male: ['Lukas', 'Jürgen', 'Matthias', 'Jörg', 'Stefan', 'Andreas', 'Maximilian', 'Björn', 'Uwe'].map(n),
    female: ['Anna', 'Sophie', 'Käthe', 'Jutta', 'Sabine', 'Lena', 'Hannah', 'Maren', 'Jülide'].map(n),
  },
  birthPlaces: ['Berlin', 'Köln', 'Hamburg', 'München', 'Bremen', 'Düsseldorf', 'Nürnberg', 'Rostock'].map((name) => ({
    name,
  })),
  areas: AREAS,
  address: germanStyleAddress('DE', STREETS),
  phone: (rng) => `+49 ${rng.pick(['151', '160', '170', '176'])} ${rng.digits(8)}`,
  fixed: [
    // Erika Mustermann: the specimen holder of the German identity card.
    {
      familyName: n('Mustermann'),
      givenName: n('Erika'),
      gender: 'female',
      dateOfBirth: '1964-08-12',
      birthPlace: { name: 'Berlin' },
      area: { ...(AREAS[0] as Area), streets: ['Heidestraße'] },
    },
    {
      familyName: n('Mustermann'),
      givenName: n('Max'),
      gender: 'male',
      dateOfBirth: '1968-02-29',
      birthPlace: { name: 'Köln' },
      area: AREAS[0] as Area,
    },
    {
      familyName: n('Schäfer'),
      givenName: n('Jürgen'),
      gender: 'male',
      dateOfBirth: '1979-10-03',
      birthPlace: { name: 'Düsseldorf' },
      area: AREAS[3] as Area,
      loa: LOA.substantial,
    },
  ],
};
