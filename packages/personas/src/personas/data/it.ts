import type { SeededRandom } from '@kakehashi/core';
import { LOA } from '../../countries/z-country.ts';
import { transliterate } from '../transliterate.ts';
import type { Address } from '../z-persona.ts';
import type { Area, BirthPlace, CountryData, NameEntry } from './country-data.ts';

const n = (local: string): NameEntry => ({ local });
const STREETS = [
  'Via Roma',
  'Via Garibaldi',
  'Corso Vittorio Emanuele II',
  'Via Mazzini',
  'Via Dante Alighieri',
  'Piazza della Libertà',
  'Via Giuseppe Verdi',
  'Viale dei Mille',
];
// Belfiore (cadastral) codes: the codice fiscale embeds them.
const BIRTH_PLACES: readonly BirthPlace[] = [
  { name: 'Roma', code: 'H501' },
  { name: 'Milano', code: 'F205' },
  { name: 'Napoli', code: 'F839' },
  { name: 'Torino', code: 'L219' },
  { name: 'Firenze', code: 'D612' },
  { name: 'Bologna', code: 'A944' },
  { name: 'Palermo', code: 'G273' },
  { name: 'Genova', code: 'D969' },
  { name: 'Venezia', code: 'L736' },
  { name: 'Bari', code: 'A662' },
];
const AREAS: readonly Area[] = [
  { city: 'Roma', cityLatin: 'Roma', postCode: '00184', region: 'RM' },
  { city: 'Milano', cityLatin: 'Milano', postCode: '20121', region: 'MI' },
  { city: 'Napoli', cityLatin: 'Napoli', postCode: '80133', region: 'NA' },
  { city: 'Torino', cityLatin: 'Torino', postCode: '10121', region: 'TO' },
  { city: 'Firenze', cityLatin: 'Firenze', postCode: '50122', region: 'FI' },
  { city: 'Bologna', cityLatin: 'Bologna', postCode: '40121', region: 'BO' },
];

/** Italian address: `Via Nome civico, CAP Comune SIGLA`. */
function address(rng: SeededRandom, area: Area): Address {
  const street = `${rng.pick(STREETS)} ${rng.range(1, 150)}`;
  const full = `${street}, ${area.postCode} ${area.city} ${area.region}`;
  return {
    street,
    postCode: area.postCode,
    city: area.city,
    region: area.region as string,
    countryCode: 'IT',
    full,
    fullLatin: `${transliterate(full)}, Italy`,
  };
}

export const IT: CountryData = {
  code: 'IT',
  familyNames: [
    'Rossi',
    'Russo',
    'Ferrari',
    'Esposito',
    'Bianchi',
    'Romano',
    'Colombo',
    'Ricci',
    'Marino',
    'Greco',
    'De Luca',
    "D'Angelo",
  ].map(n),
  givenNames: {
    male: ['Mario', 'Luca', 'Giuseppe', 'Marco', 'Niccolò', 'Andrea', 'Francesco', 'Alessandro', 'Nicola'].map(n),
    female: ['Giulia', 'Francesca', 'Chiara', 'Sofia', 'Maria', 'Elena', 'Martina', 'Lucia', 'Noemi'].map(n),
  },
  birthPlaces: BIRTH_PLACES,
  areas: AREAS,
  address,
  phone: (rng) => `+39 3${rng.digits(2)} ${rng.digits(7)}`,
  fixed: [
    {
      familyName: n('Rossi'),
      givenName: n('Mario'),
      gender: 'male',
      dateOfBirth: '1985-12-10',
      birthPlace: BIRTH_PLACES[0] as BirthPlace,
      area: AREAS[0] as Area,
    },
    {
      familyName: n('Bianchi'),
      givenName: n('Giulia'),
      gender: 'female',
      dateOfBirth: '1990-06-02',
      birthPlace: BIRTH_PLACES[1] as BirthPlace,
      area: AREAS[1] as Area,
    },
    {
      familyName: n("D'Angelo"),
      givenName: n('Niccolò'),
      gender: 'male',
      dateOfBirth: '1962-04-25',
      birthPlace: BIRTH_PLACES[2] as BirthPlace,
      area: AREAS[2] as Area,
      loa: LOA.substantial,
    },
  ],
};
