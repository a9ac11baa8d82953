import type { SeededRandom } from '@kakehashi/core';
import { LOA } from '../../countries/z-country.ts';
import { transliterate } from '../transliterate.ts';
import type { Address } from '../z-persona.ts';
import type { Area, CountryData, NameEntry } from './country-data.ts';

const n = (local: string): NameEntry => ({ local });
const STREETS = [
  'Pikk tn',
  'Tartu mnt',
  'Narva mnt',
  'Rüütli tn',
  'Kase tn',
  'Pärna tn',
  'Männi tn',
  'Kalda tee',
  'Jõe tn',
  'Õie tn',
];
const AREAS: readonly Area[] = [
  { city: 'Tallinn', cityLatin: 'Tallinn', postCode: '10111', region: 'Harju maakond', regionLatin: 'Harju County' },
  { city: 'Tartu', cityLatin: 'Tartu', postCode: '51004', region: 'Tartu maakond', regionLatin: 'Tartu County' },
  { city: 'Pärnu', cityLatin: 'Parnu', postCode: '80010', region: 'Pärnu maakond', regionLatin: 'Parnu County' },
  { city: 'Narva', cityLatin: 'Narva', postCode: '20308', region: 'Ida-Viru maakond', regionLatin: 'Ida-Viru County' },
  {
    city: 'Viljandi',
    cityLatin: 'Viljandi',
    postCode: '71004',
    region: 'Viljandi maakond',
    regionLatin: 'Viljandi County',
  },
  {
    city: 'Rakvere',
    cityLatin: 'Rakvere',
    postCode: '44307',
    region: 'Lääne-Viru maakond',
    regionLatin: 'Laane-Viru County',
  },
];

/** Estonian address: `Tänav maja-korter, sihtnumber linn, maakond`. */
function address(rng: SeededRandom, area: Area): Address {
  const street = `${rng.pick(STREETS)} ${rng.range(1, 80)}-${rng.range(1, 40)}`;
  const full = `${street}, ${area.postCode} ${area.city}, ${area.region}`;
  return {
    street,
    postCode: area.postCode,
    city: area.city,
    region: area.region as string,
    countryCode: 'EE',
    full,
    fullLatin: `${transliterate(street)}, ${area.postCode} ${area.cityLatin}, ${area.regionLatin}, Estonia`,
  };
}

export const EE: CountryData = {
  code: 'EE',
  familyNames: [
    'Tamm',
    'Saar',
    'Sepp',
    'Mägi',
    'Kask',
    'Kukk',
    'Rebane',
    'Ilves',
    'Pärn',
    'Kõiv',
    'Lepik',
    'Õunapuu',
    'Rätsep',
  ].map(n),
  givenNames: {
    male: ['Jüri', 'Tõnu', 'Mart', 'Andres', 'Priit', 'Märt', 'Rein', 'Kristjan', 'Ülo'].map(n),
    female: ['Mari', 'Kädi', 'Liis', 'Kristiina', 'Tiiu', 'Ülle', 'Pille', 'Mailis', 'Kärt'].map(n),
  },
  birthPlaces: ['Tallinn', 'Tartu', 'Pärnu', 'Narva', 'Kohtla-Järve', 'Viljandi', 'Võru', 'Kuressaare'].map((name) => ({
    name,
  })),
  areas: AREAS,
  address,
  phone: (rng) => `+372 5${rng.digits(3)} ${rng.digits(4)}`,
  fixed: [
    {
      familyName: n('Tamm'),
      givenName: n('Jaan'),
      gender: 'male',
      dateOfBirth: '1976-05-03',
      birthPlace: { name: 'Tallinn' },
      area: AREAS[0] as Area,
    },
    {
      familyName: n('Männik'),
      givenName: n('Mari-Liis'),
      gender: 'female',
      dateOfBirth: '1994-03-13',
      birthPlace: { name: 'Tartu' },
      area: AREAS[1] as Area,
    },
    // Signs in with Smart-ID rather than the ID-card.
    {
      familyName: n('Õunapuu'),
      givenName: n('Tõnu'),
      gender: 'male',
      dateOfBirth: '2001-12-24',
      birthPlace: { name: 'Pärnu' },
      area: AREAS[2] as Area,
      loa: LOA.substantial,
    },
  ],
};
