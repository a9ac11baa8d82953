import type { SeededRandom } from '@kakehashi/core';
import { LOA } from '../../countries/z-country.ts';
import { transliterate } from '../transliterate.ts';
import type { Address } from '../z-persona.ts';
import type { Area, BirthPlace, CountryData, NameEntry } from './country-data.ts';

const n = (local: string): NameEntry => ({ local });
const STREETS = [
  'rue de la République',
  'avenue Jean Jaurès',
  'rue Victor Hugo',
  'boulevard Gambetta',
  'rue de l’Église',
  'place de la Mairie',
  'rue Pasteur',
  'allée des Tilleuls',
];
// INSEE commune codes (arrondissement codes for Paris, Lyon, Marseille): the NIR embeds them.
const BIRTH_PLACES: readonly BirthPlace[] = [
  { name: 'Paris 15e', code: '75115' },
  { name: 'Lyon 3e', code: '69383' },
  { name: 'Marseille 8e', code: '13208' },
  { name: 'Toulouse', code: '31555' },
  { name: 'Bordeaux', code: '33063' },
  { name: 'Lille', code: '59350' },
  { name: 'Nantes', code: '44109' },
  { name: 'Strasbourg', code: '67482' },
  { name: 'Ajaccio', code: '2A004' },
  { name: 'Bastia', code: '2B033' },
];
const AREAS: readonly Area[] = [
  { city: 'Paris', cityLatin: 'Paris', postCode: '75011' },
  { city: 'Lyon', cityLatin: 'Lyon', postCode: '69003' },
  { city: 'Marseille', cityLatin: 'Marseille', postCode: '13008' },
  { city: 'Toulouse', cityLatin: 'Toulouse', postCode: '31000' },
  { city: 'Bordeaux', cityLatin: 'Bordeaux', postCode: '33000' },
  { city: 'Lille', cityLatin: 'Lille', postCode: '59000' },
  { city: 'Nantes', cityLatin: 'Nantes', postCode: '44000' },
];

/** French address: `numéro voie, code postal COMMUNE`. */
function address(rng: SeededRandom, area: Area): Address {
  const street = `${rng.range(1, 140)} ${rng.pick(STREETS)}`;
  const full = `${street}, ${area.postCode} ${area.city.toUpperCase()}`;
  return {
    street,
    postCode: area.postCode,
    city: area.city,
    countryCode: 'FR',
    full,
    fullLatin: `${transliterate(full)}, France`,
  };
}

export const FR: CountryData = {
  code: 'FR',
  familyNames: [
    'Martin',
    'Bernard',
    'Dubois',
    'Thomas',
    'Robert',
    'Richard',
    'Petit',
    'Durand',
    'Lefèvre',
    'Mercier',
    'Girard',
    'Bonnet',
    'Faure',
  ].map(n),
  givenNames: {
    male: ['Jean', 'Pierre', 'François', 'Jérôme', 'Étienne', 'Loïc', 'Nicolas', 'Théo', 'Gaël'].map(n),
    female: ['Marie', 'Camille', 'Élodie', 'Hélène', 'Chloé', 'Léa', 'Françoise', 'Agnès', 'Maëlle'].map(n),
  },
  birthPlaces: BIRTH_PLACES,
  areas: AREAS,
  address,
  phone: (rng) => `+33 ${rng.pick(['6', '7'])} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)}`,
  fixed: [
    // Jean Dupont: the French "John Doe".
    {
      familyName: n('Dupont'),
      givenName: n('Jean'),
      gender: 'male',
      dateOfBirth: '1980-06-14',
      birthPlace: BIRTH_PLACES[0] as BirthPlace,
      area: AREAS[0] as Area,
    },
    {
      familyName: n('Lefèvre'),
      givenName: n('Élodie'),
      gender: 'female',
      dateOfBirth: '1991-02-27',
      birthPlace: BIRTH_PLACES[1] as BirthPlace,
      area: AREAS[1] as Area,
    },
    // Born in Corsica: the NIR key uses the 2A → 19 rule.
    {
      familyName: n('Mercier'),
      givenName: n('Loïc'),
      gender: 'male',
      dateOfBirth: '1969-11-11',
      birthPlace: BIRTH_PLACES[8] as BirthPlace,
      area: AREAS[2] as Area,
      loa: LOA.low,
    },
  ],
};
