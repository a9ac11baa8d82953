import { LOA } from '../../countries/z-country.ts';
import type { Area, CountryData, NameEntry } from './country-data.ts';
import { germanStyleAddress } from './de.ts';

const n = (local: string): NameEntry => ({ local });
const STREETS = [
  'Hauptplatz',
  'Bahnhofstraße',
  'Kirchengasse',
  'Lindengasse',
  'Schulgasse',
  'Herrengasse',
  'Grabenweg',
  'Mühlgasse',
];
const AREAS: readonly Area[] = [
  {
    city: 'Wien',
    cityLatin: 'Wien',
    postCode: '1070',
    streets: ['Mariahilfer Straße', 'Kirchengasse', 'Lindengasse', 'Neubaugasse'],
  },
  { city: 'Graz', cityLatin: 'Graz', postCode: '8010' },
  { city: 'Linz', cityLatin: 'Linz', postCode: '4020' },
  { city: 'Salzburg', cityLatin: 'Salzburg', postCode: '5020' },
  { city: 'Innsbruck', cityLatin: 'Innsbruck', postCode: '6020' },
  { city: 'Klagenfurt am Wörthersee', cityLatin: 'Klagenfurt am Woerthersee', postCode: '9020' },
];

export const AT: CountryData = {
  code: 'AT',
  familyNames: [
    'Gruber',
    'Huber',
    'Bauer',
    'Wagner',
    'Müller',
    'Pichler',
    'Steiner',
    'Moser',
    'Mayer',
    'Hofer',
    'Leitner',
    'Öztürk',
  ].map(n),
  givenNames: {
    male: ['Florian', 'Lukas', 'Tobias', 'Günther', 'Wolfgang', 'Matthäus', 'Stefan', 'Jakob'].map(n),
    female: ['Theresa', 'Katharina', 'Anna', 'Magdalena', 'Jasmin', 'Lea', 'Jovana', 'Brigitte'].map(n),
  },
  birthPlaces: ['Wien', 'Graz', 'Linz', 'Salzburg', 'Innsbruck', 'Villach', 'St. Pölten', 'Bregenz'].map((name) => ({
    name,
  })),
  areas: AREAS,
  address: germanStyleAddress('AT', STREETS),
  phone: (rng) => `+43 ${rng.pick(['650', '660', '664', '676', '699'])} ${rng.digits(7)}`,
  fixed: [
    {
      familyName: n('Mustermann'),
      givenName: n('Max'),
      gender: 'male',
      dateOfBirth: '1980-01-01',
      birthPlace: { name: 'Wien' },
      area: AREAS[0] as Area,
    },
    {
      familyName: n('Huber'),
      givenName: n('Maria'),
      gender: 'female',
      dateOfBirth: '1973-05-24',
      birthPlace: { name: 'Graz' },
      area: AREAS[1] as Area,
    },
    {
      familyName: n('Gruber'),
      givenName: n('Günther'),
      gender: 'male',
      dateOfBirth: '1950-09-17',
      birthPlace: { name: 'Linz' },
      area: AREAS[2] as Area,
      loa: LOA.substantial,
    },
  ],
};
