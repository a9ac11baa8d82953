import type { SeededRandom } from '@kakehashi/core';
import { LOA } from '../../countries/z-country.ts';
import { transliterate } from '../transliterate.ts';
import type { Address } from '../z-persona.ts';
import type { Area, CountryData, NameEntry } from './country-data.ts';

const n = (local: string): NameEntry => ({ local });
const STREETS = [
  'Calle Mayor',
  'Calle Real',
  'Avenida de la Constitución',
  'Calle de Alcalá',
  'Plaza de España',
  'Calle San Vicente',
  'Paseo de Gracia',
  'Calle Nueva',
];
const AREAS: readonly Area[] = [
  { city: 'Madrid', cityLatin: 'Madrid', postCode: '28013' },
  { city: 'Barcelona', cityLatin: 'Barcelona', postCode: '08002' },
  { city: 'Valencia', cityLatin: 'Valencia', postCode: '46002' },
  { city: 'Sevilla', cityLatin: 'Sevilla', postCode: '41004' },
  { city: 'Bilbao', cityLatin: 'Bilbao', postCode: '48005' },
  { city: 'Zaragoza', cityLatin: 'Zaragoza', postCode: '50001' },
  { city: 'Málaga', cityLatin: 'Malaga', postCode: '29005' },
];

/** Spanish address: `Calle, número, piso.º puerta, CP Municipio`. */
function address(rng: SeededRandom, area: Area): Address {
  const street = `${rng.pick(STREETS)}, ${rng.range(1, 99)}, ${rng.range(1, 8)}.º ${rng.pick(['A', 'B', 'C', 'D'])}`;
  const full = `${street}, ${area.postCode} ${area.city}`;
  return {
    street,
    postCode: area.postCode,
    city: area.city,
    countryCode: 'ES',
    full,
    fullLatin: `${transliterate(full.replace('.º', 'o'))}, Spain`,
  };
}

export const ES: CountryData = {
  code: 'ES',
  familyNames: [
    'García',
    'Fernández',
    'González',
    'Rodríguez',
    'López',
    'Martínez',
    'Sánchez',
    'Pérez',
    'Gómez',
    'Martín',
    'Jiménez',
    'Muñoz',
    'Ibáñez',
  ].map(n),
  twoSurnames: true,
  givenNames: {
    male: ['José', 'Antonio', 'Manuel', 'Javier', 'Sergio', 'Íñigo', 'Álvaro', 'Jesús'].map(n),
    female: ['María', 'Carmen', 'Lucía', 'Ana', 'Laura', 'Begoña', 'Nuria', 'Inés'].map(n),
  },
  birthPlaces: ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Bilbao', 'A Coruña', 'Córdoba', 'Logroño'].map(
    (name) => ({ name }),
  ),
  areas: AREAS,
  address,
  phone: (rng) => `+34 6${rng.digits(2)} ${rng.digits(3)} ${rng.digits(3)}`,
  fixed: [
    {
      familyName: n('García'),
      secondFamilyName: n('López'),
      givenName: n('José'),
      gender: 'male',
      dateOfBirth: '1978-03-19',
      birthPlace: { name: 'Madrid' },
      area: AREAS[0] as Area,
    },
    {
      familyName: n('Fernández'),
      secondFamilyName: n('Sánchez'),
      givenName: n('María'),
      gender: 'female',
      dateOfBirth: '1988-09-08',
      birthPlace: { name: 'Sevilla' },
      area: AREAS[3] as Area,
    },
    {
      familyName: n('Ibáñez'),
      secondFamilyName: n('Muñoz'),
      givenName: n('Íñigo'),
      gender: 'male',
      dateOfBirth: '1995-07-31',
      birthPlace: { name: 'Bilbao' },
      area: AREAS[4] as Area,
      loa: LOA.substantial,
    },
  ],
};
