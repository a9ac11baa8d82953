import { KakehashiError, SeededRandom } from '@kakehashi/core';
import { getCountry } from '../countries/list-countries.ts';
import type { CountryCode } from '../countries/z-country.ts';
import { randomDate } from '../identifiers/checksums.ts';
import { generateMyNumber } from '../identifiers/my-number.ts';
import { getIdFormat } from '../identifiers/registry.ts';
import { generateResidentRecordCode } from '../identifiers/resident-record-code.ts';
import type { Gender } from '../identifiers/z-identifier.ts';
import type { Area, BirthPlace, CountryData, FixedPersona, NameEntry } from './data/country-data.ts';
import { COUNTRY_DATA } from './data/index.ts';
import { emailLocalPart, toLatinAscii } from './transliterate.ts';
import type { Persona } from './z-persona.ts';

/** Personas per country when no count is given. */
export const DEFAULT_PERSONA_COUNT = 8;
/** At most this many personas per call (ids are 3+ digits; the cap keeps a typo from allocating millions). */
export const MAX_PERSONA_COUNT = 10_000;

/** The Japanese identifiers of one person, each from its own stream. */
export interface JapaneseNumbers {
  myNumber: string;
  residentRecordCode: string;
}

/**
 * Draws a My Number and a resident record code from two independent streams. Neither is computed from the
 * other: changing one stream leaves the other value unchanged (see the independence test).
 */
export function drawJapaneseNumbers(streams: {
  myNumber: SeededRandom;
  residentRecordCode: SeededRandom;
}): JapaneseNumbers {
  return {
    myNumber: generateMyNumber(streams.myNumber),
    residentRecordCode: generateResidentRecordCode(streams.residentRecordCode),
  };
}

function resolveCountry(cc: string): { code: CountryCode; data: CountryData } {
  const code = getCountry(cc).code;
  return { code, data: COUNTRY_DATA[code] };
}

function latinOf(n: NameEntry): string {
  return n.latin ?? toLatinAscii(n.local);
}

interface Draft {
  family: NameEntry[];
  given: NameEntry;
  gender: Gender;
  dateOfBirth: string;
  birthPlace: BirthPlace;
  area: Area;
  fixed: FixedPersona | undefined;
}

function draft(rng: SeededRandom, data: CountryData, index: number): Draft {
  const fixed = data.fixed[index];
  if (fixed) {
    const family = fixed.secondFamilyName ? [fixed.familyName, fixed.secondFamilyName] : [fixed.familyName];
    return { ...fixed, family, given: fixed.givenName, fixed };
  }
  const gender: Gender = rng.fork('gender').int(2) === 0 ? 'male' : 'female';
  const names = rng.fork('names');
  const family = [names.pick(data.familyNames)];
  if (data.twoSurnames) {
    let second = names.pick(data.familyNames);
    while (second === family[0]) second = names.pick(data.familyNames);
    family.push(second);
  }
  return {
    family,
    given: names.pick(data.givenNames[gender]),
    gender,
    dateOfBirth: randomDate(rng.fork('date-of-birth'), 1940, 2006),
    birthPlace: rng.fork('birth-place').pick(data.birthPlaces),
    area: rng.fork('area').pick(data.areas),
    fixed: undefined,
  };
}

/**
 * Persona `index` (0-based) of `cc` for `seed`. Every value is drawn from streams forked by persona id, so a
 * persona does not change when more personas are requested. `taken` holds the national ids already issued in
 * this set: a collision draws again from the same stream (deterministic).
 */
function buildPersona(seed: string, code: CountryCode, data: CountryData, index: number, taken: Set<string>): Persona {
  const id = `${code.toLowerCase()}-${String(index + 1).padStart(3, '0')}`;
  const rng = new SeededRandom(seed, `personas/${code}/${id}`);
  const d = draft(rng, data, index);
  const country = getCountry(code);
  const format = getIdFormat(country.personIdScheme);
  const familyName = d.family.map((f) => f.local).join(code === 'JP' ? '' : ' ');
  const familyNameLatin = d.family.map(latinOf).join(' ');
  const givenNameLatin = latinOf(d.given);
  const address = data.address(rng.fork('address'), d.area);

  let japanese: JapaneseNumbers | undefined;
  let nationalIdValue: string;
  const idStream = rng.fork('national-id');
  const rrcStream = rng.fork('resident-record-code');
  for (;;) {
    if (code === 'JP') {
      japanese = drawJapaneseNumbers({ myNumber: idStream, residentRecordCode: rrcStream });
      nationalIdValue = japanese.myNumber;
    } else {
      nationalIdValue = format.generate(idStream, {
        dateOfBirth: d.dateOfBirth,
        gender: d.gender,
        familyName: d.family.map((f) => f.local).join(' '),
        givenName: d.given.local,
        ...(d.birthPlace.code ? { placeCode: d.birthPlace.code } : {}),
      });
    }
    if (!taken.has(nationalIdValue)) break;
  }
  taken.add(nationalIdValue);

  const contact = rng.fork('contact');
  const persona: Persona = {
    id,
    country: code,
    familyName,
    givenName: d.given.local,
    familyNameLatin,
    givenNameLatin,
    dateOfBirth: d.dateOfBirth,
    gender: d.gender,
    placeOfBirth: d.birthPlace.name,
    address,
    nationalId: { scheme: format.scheme, value: nationalIdValue },
    email: `${emailLocalPart(givenNameLatin, familyNameLatin)}${d.fixed ? '' : `.${index + 1}`}@${code.toLowerCase()}.personas.kakehashi.test`,
    phone: data.phone(contact),
    loa: d.fixed?.loa ?? country.loa,
    fictional: true,
  };
  if (code === 'JP' && japanese) {
    const kanaFamily = d.family.map((f) => f.kana ?? '').join('');
    persona.kana = { familyName: kanaFamily, givenName: d.given.kana ?? '' };
    persona.myNumber = japanese.myNumber;
    persona.residentRecordCode = japanese.residentRecordCode;
    persona.fourFacts = {
      name: `${familyName} ${d.given.local}`,
      dateOfBirth: d.dateOfBirth,
      gender: d.gender,
      address: address.full,
    };
  }
  return persona;
}

/**
 * Deterministic synthetic citizens of `countryCode`: the same seed gives the same personas on every machine,
 * another seed gives others. The first few (`jp-001`, `de-001`, …) are fixed, memorable people (Yamada Tarō,
 * Erika Mustermann, Mario Rossi, …) whose identifiers still come from the seed. All are `fictional: true`.
 * @throws KakehashiError `unknown-country` for a country without personas, `validation-failed` for a bad count.
 */
export function generatePersonas(seed: string, countryCode: string, count = DEFAULT_PERSONA_COUNT): Persona[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_PERSONA_COUNT) {
    throw new KakehashiError(
      'validation-failed',
      `[Kakehashi personas] count must be an integer 0–${MAX_PERSONA_COUNT}, got ${count}.`,
    );
  }
  const { code, data } = resolveCountry(countryCode);
  const taken = new Set<string>();
  return Array.from({ length: count }, (_, i) => buildPersona(seed, code, data, i, taken));
}

/**
 * The persona `id` (e.g. `jp-001`) of `countryCode` for `seed`.
 * @throws KakehashiError `unknown-country`, or `not-found` when the id is not one of that country's.
 */
export function getPersona(seed: string, countryCode: string, id: string): Persona {
  const { code } = resolveCountry(countryCode);
  const m = /^([a-z]{2})-(\d{3,})$/.exec(id);
  const n = m && m[1] === code.toLowerCase() ? Number(m[2]) : 0;
  if (n < 1 || n > MAX_PERSONA_COUNT || id !== `${code.toLowerCase()}-${String(n).padStart(3, '0')}`) {
    throw new KakehashiError(
      'not-found',
      `[Kakehashi personas] No persona '${id}' in ${code}: ids look like ${code.toLowerCase()}-001 … ${code.toLowerCase()}-${String(MAX_PERSONA_COUNT).padStart(3, '0')}.`,
    );
  }
  return generatePersonas(seed, code, Math.max(n, DEFAULT_PERSONA_COUNT))[n - 1] as Persona;
}
