import { SeededRandom } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { listCountries } from '../src/countries/list-countries.ts';
import { COUNTRY_CODES } from '../src/countries/z-country.ts';
import { getIdFormat } from '../src/identifiers/registry.ts';
import { RESIDENT_RECORD_CODE } from '../src/identifiers/resident-record-code.ts';
import { NOTICE } from '../src/notice.ts';
import { generateOrganisations } from '../src/organisations/generate-organisations.ts';
import { OrganisationSchema } from '../src/organisations/z-organisation.ts';
import {
  DEFAULT_PERSONA_COUNT,
  drawJapaneseNumbers,
  generatePersonas,
  getPersona,
} from '../src/personas/generate-personas.ts';
import { toLatinAscii } from '../src/personas/transliterate.ts';
import { type Persona, PersonaSchema } from '../src/personas/z-persona.ts';

const SEEDS = ['kakehashi', 'another-seed', ''];

describe('generatePersonas', { timeout: 60_000 }, () => {
  it.each(COUNTRY_CODES)('%s: every persona is schema-valid, fictional and carries a valid national id', (cc) => {
    for (const seed of SEEDS) {
      const personas = generatePersonas(seed, cc, 40);
      for (const p of personas) {
        const parsed = PersonaSchema.safeParse(p);
        expect(parsed.success, `${p.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
        expect(p.fictional).toBe(true);
        expect(getIdFormat(p.nationalId.scheme).validate(p.nationalId.value)).toBe(true);
      }
      expect(new Set(personas.map((p) => p.id)).size).toBe(40);
      expect(new Set(personas.map((p) => p.nationalId.value)).size).toBe(40);
    }
  });

  it('defaults to about eight personas per country with stable ids cc-001…', () => {
    for (const { code } of listCountries()) {
      const ps = generatePersonas('kakehashi', code);
      expect(ps).toHaveLength(DEFAULT_PERSONA_COUNT);
      expect(ps.map((p) => p.id)).toEqual(Array.from({ length: 8 }, (_, i) => `${code.toLowerCase()}-00${i + 1}`));
    }
  });

  it('is deterministic: the same seed gives identical output, another seed differs', () => {
    for (const cc of COUNTRY_CODES) {
      expect(generatePersonas('s1', cc)).toEqual(generatePersonas('s1', cc));
      const a = generatePersonas('s1', cc);
      const b = generatePersonas('s2', cc);
      expect(a.map((p) => p.nationalId.value)).not.toEqual(b.map((p) => p.nationalId.value));
    }
  });

  it('golden: jp-001 for the seed "kakehashi" does not drift', () => {
    const p = generatePersonas('kakehashi', 'JP', 1)[0] as Persona;
    expect(p).toMatchObject({
      id: 'jp-001',
      familyName: '山田',
      givenName: '太郎',
      familyNameLatin: 'Yamada',
      givenNameLatin: 'Taro',
    });
    expect({ myNumber: p.myNumber, residentRecordCode: p.residentRecordCode }).toMatchInlineSnapshot(`
      {
        "myNumber": "236794952535",
        "residentRecordCode": "80566890887",
      }
    `);
  });

  it('asking for more personas never changes the earlier ones', () => {
    for (const cc of COUNTRY_CODES)
      expect(generatePersonas('k', cc, 30).slice(0, 8)).toEqual(generatePersonas('k', cc, 8));
  });

  it('starts with fixed, memorable personas whose identifiers still come from the seed', () => {
    const name = (cc: string, i: number) => {
      const p = generatePersonas('kakehashi', cc)[i] as Persona;
      return `${p.givenName} ${p.familyName}`;
    };
    expect(name('JP', 0)).toBe('太郎 山田');
    expect(name('JP', 1)).toBe('花子 佐藤');
    expect(name('DE', 0)).toBe('Erika Mustermann');
    expect(name('AT', 0)).toBe('Max Mustermann');
    expect(name('EE', 1)).toBe('Mari-Liis Männik');
    expect(name('IT', 0)).toBe('Mario Rossi');
    expect(name('ES', 0)).toBe('José García López');
    expect(name('FR', 1)).toBe('Élodie Lefèvre');
    const [a, b] = [generatePersonas('one', 'JP', 1)[0], generatePersonas('two', 'JP', 1)[0]] as Persona[];
    expect(a?.familyName).toBe(b?.familyName);
    expect(a?.myNumber).not.toBe(b?.myNumber);
  });

  it('derives the identifiers that encode facts from the persona’s own facts', () => {
    const mario = generatePersonas('kakehashi', 'IT')[0] as Persona;
    expect(mario.nationalId.value.slice(0, 15)).toBe('RSSMRA85T10H501');
    const tamm = generatePersonas('kakehashi', 'EE')[0] as Persona;
    expect(tamm.nationalId.value.slice(0, 7)).toBe('3760503');
    const dupont = generatePersonas('kakehashi', 'FR')[0] as Persona;
    expect(dupont.nationalId.value.slice(0, 10)).toBe('1800675115');
    const corsican = generatePersonas('kakehashi', 'FR')[2] as Persona;
    expect(corsican.nationalId.value.slice(5, 10)).toBe('2A004');
    const max = generatePersonas('kakehashi', 'AT')[0] as Persona;
    expect(max.nationalId.value.slice(4)).toBe('010180');
  });

  it('writes names in the local script with an ASCII Latin transliteration', () => {
    const all = COUNTRY_CODES.flatMap((cc) => generatePersonas('kakehashi', cc, 60));
    for (const p of all) {
      expect(p.familyNameLatin).toMatch(/^[A-Za-z' -]+$/);
      expect(p.givenNameLatin).toMatch(/^[A-Za-z' -]+$/);
      expect(p.address.fullLatin).toMatch(/^[\x20-\x7E]+$/);
    }
    const local = (cc: string) =>
      generatePersonas('kakehashi', cc, 60)
        .map((p) => `${p.familyName} ${p.givenName}`)
        .join(' ');
    expect(local('EE')).toMatch(/[õäöü]/i);
    expect(local('DE')).toMatch(/[äöüß]/);
    expect(local('FR')).toMatch(/[éèëï]/);
    expect(local('JP')).toMatch(/\p{Script=Han}/u);
    expect(toLatinAscii('Jürgen Groß')).toBe('Juergen Gross');
    expect(toLatinAscii('Õunapuu')).toBe('Ounapuu');
    // Spanish personas carry two surnames.
    for (const p of generatePersonas('kakehashi', 'ES', 20))
      expect(p.familyName.split(' ').length).toBeGreaterThanOrEqual(2);
  });

  it('Japanese personas carry kana, My Number, resident record code and the four facts', () => {
    for (const p of generatePersonas('kakehashi', 'JP', 30)) {
      expect(p.kana?.familyName).toMatch(/^[\u30A0-\u30FF]+$/);
      expect(p.nationalId).toEqual({ scheme: 'jp-my-number', value: p.myNumber });
      expect(RESIDENT_RECORD_CODE.validate(p.residentRecordCode as string)).toBe(true);
      expect(p.fourFacts).toEqual({
        name: `${p.familyName} ${p.givenName}`,
        dateOfBirth: p.dateOfBirth,
        gender: p.gender,
        address: p.address.full,
      });
      expect(p.address.full).toMatch(/^〒\d{3}-\d{4} .+[都道府県].+丁目\d+番\d+号$/);
    }
    const eu = generatePersonas('kakehashi', 'DE', 1)[0] as Persona;
    expect(eu.myNumber).toBeUndefined();
    expect(PersonaSchema.safeParse({ ...eu, myNumber: '621498320257' }).success).toBe(false);
  });

  it('the schema rejects a persona whose national id is invalid', () => {
    const p = generatePersonas('kakehashi', 'ES', 1)[0] as Persona;
    const bad = { ...p, nationalId: { ...p.nationalId, value: '12345678A' } };
    expect(PersonaSchema.safeParse(bad).success).toBe(false);
  });

  it('uses per-country LoA URIs', () => {
    expect(generatePersonas('kakehashi', 'JP')[0]?.loa).toBe('http://eidas.europa.eu/LoA/high');
    expect(generatePersonas('kakehashi', 'FR')[0]?.loa).toBe('http://eidas.europa.eu/LoA/substantial');
    expect(generatePersonas('kakehashi', 'DE')[2]?.loa).toBe('http://eidas.europa.eu/LoA/substantial');
  });

  it('refuses unknown countries and bad counts with stable codes', () => {
    expect(() => generatePersonas('s', 'XX')).toThrow(
      expect.objectContaining({
        code: 'unknown-country',
        message: expect.stringContaining('AT, DE, EE, ES, FR, IT, JP'),
      }),
    );
    expect(() => generatePersonas('s', 'JP', -1)).toThrow(expect.objectContaining({ code: 'validation-failed' }));
    expect(() => generatePersonas('s', 'JP', 1.5)).toThrow(expect.objectContaining({ code: 'validation-failed' }));
  });

  it('accepts lower-case country codes', () => {
    expect(generatePersonas('s', 'jp', 2)).toEqual(generatePersonas('s', 'JP', 2));
  });
});

describe('getPersona', () => {
  it('finds a persona by id, also beyond the default count', () => {
    expect(getPersona('kakehashi', 'JP', 'jp-002')).toEqual(generatePersonas('kakehashi', 'JP')[1]);
    expect(getPersona('kakehashi', 'IT', 'it-015')).toEqual(generatePersonas('kakehashi', 'IT', 15)[14]);
  });

  it.each(['jp-000', 'de-001', 'jp-1', 'jp-0002', 'nobody', 'jp-99999'])('throws not-found for %s in JP', (id) => {
    expect(() => getPersona('kakehashi', 'JP', id)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('throws unknown-country for an unknown country', () => {
    expect(() => getPersona('kakehashi', 'US', 'us-001')).toThrow(expect.objectContaining({ code: 'unknown-country' }));
  });
});

describe('listCountries', () => {
  it('lists the seven countries in a fixed order with their schemes', () => {
    expect(listCountries().map((c) => c.code)).toEqual(['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP']);
    for (const c of listCountries()) {
      expect(getIdFormat(c.personIdScheme)).toMatchObject({ country: c.code, subject: 'person' });
      expect(getIdFormat(c.organisationIdScheme)).toMatchObject({ country: c.code, subject: 'organisation' });
    }
  });
});

describe('My Number is independent of the resident record code', { timeout: 60_000 }, () => {
  it('same resident-record stream, different My Number stream: same codes, different My Numbers', () => {
    for (let i = 0; i < 1000; i++) {
      const a = drawJapaneseNumbers({
        myNumber: new SeededRandom('a', `mn/${i}`),
        residentRecordCode: new SeededRandom('s', `rrc/${i}`),
      });
      const b = drawJapaneseNumbers({
        myNumber: new SeededRandom('b', `mn/${i}`),
        residentRecordCode: new SeededRandom('s', `rrc/${i}`),
      });
      expect(a.residentRecordCode).toBe(b.residentRecordCode);
      expect(a.myNumber).not.toBe(b.myNumber);
    }
  });

  it('same My Number stream, different resident-record stream: same My Numbers', () => {
    for (let i = 0; i < 200; i++) {
      const a = drawJapaneseNumbers({
        myNumber: new SeededRandom('s', `mn/${i}`),
        residentRecordCode: new SeededRandom('a', `rrc/${i}`),
      });
      const b = drawJapaneseNumbers({
        myNumber: new SeededRandom('s', `mn/${i}`),
        residentRecordCode: new SeededRandom('b', `rrc/${i}`),
      });
      expect(a.myNumber).toBe(b.myNumber);
      expect(a.residentRecordCode).not.toBe(b.residentRecordCode);
    }
  });

  it('across generated personas, digits of the two numbers agree only at chance level', () => {
    const ps = generatePersonas('independence', 'JP', 5_000);
    const equal = Array<number>(11).fill(0);
    for (const p of ps) {
      const [mn, rrc] = [p.myNumber as string, p.residentRecordCode as string];
      expect(mn.slice(0, 11)).not.toBe(rrc);
      for (let i = 0; i < 11; i++) if (mn[i] === rrc[i]) equal[i] = (equal[i] as number) + 1;
    }
    // 10% expected per position; ±2.5 points is > 5 standard deviations at n = 5,000.
    for (const e of equal) expect(Math.abs(e / ps.length - 0.1)).toBeLessThan(0.025);
    expect(new Set(ps.map((p) => p.myNumber)).size).toBe(ps.length);
  });
});

describe('generateOrganisations', () => {
  it.each(COUNTRY_CODES)(
    '%s: organisations are schema-valid, fictional, deterministic, with valid identifiers',
    (cc) => {
      const orgs = generateOrganisations('kakehashi', cc);
      expect(orgs.length).toBeGreaterThanOrEqual(3);
      for (const o of orgs) {
        expect(OrganisationSchema.safeParse(o).success).toBe(true);
        expect(o.fictional).toBe(true);
      }
      expect(generateOrganisations('kakehashi', cc)).toEqual(orgs);
      expect(generateOrganisations('other', cc).map((o) => o.identifier.value)).not.toEqual(
        orgs.map((o) => o.identifier.value),
      );
    },
  );

  it('uses the Japanese corporate number and the Estonian non-profit register', () => {
    expect(generateOrganisations('k', 'JP')[0]?.identifier.scheme).toBe('jp-corporate-number');
    const mtu = generateOrganisations('k', 'EE').find((o) => o.kind === 'non-profit');
    expect(mtu?.identifier.value[0]).toBe('8');
  });
});

describe('NOTICE', () => {
  it('says the data is synthetic and test-only', () => {
    expect(NOTICE).toMatch(/test-only/i);
    expect(NOTICE).toMatch(/fictional|synthetic/i);
  });
});
