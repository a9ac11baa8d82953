import { SeededRandom } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { CIF } from '../src/identifiers/cif.ts';
import {
  CODICE_FISCALE,
  codiceFiscaleCheckChar,
  generateCodiceFiscale,
  givenNameCode,
  surnameCode,
} from '../src/identifiers/codice-fiscale.ts';
import { CORPORATE_NUMBER, corporateNumberCheckDigit } from '../src/identifiers/corporate-number.ts';
import { DNI } from '../src/identifiers/dni.ts';
import { generateIsikukood, ISIKUKOOD } from '../src/identifiers/isikukood.ts';
import { MY_NUMBER, myNumberCheckDigit, validateMyNumber } from '../src/identifiers/my-number.ts';
import { generateNir, NIR } from '../src/identifiers/nir.ts';
import { PARTITA_IVA } from '../src/identifiers/partita-iva.ts';
import { REGISTRIKOOD } from '../src/identifiers/registrikood.ts';
import { getIdFormat, ID_FORMATS } from '../src/identifiers/registry.ts';
import { RESIDENT_RECORD_CODE } from '../src/identifiers/resident-record-code.ts';
import { SIREN } from '../src/identifiers/siren.ts';
import {
  generateSozialversicherungsnummer,
  SOZIALVERSICHERUNGSNUMMER,
} from '../src/identifiers/sozialversicherungsnummer.ts';
import { STEUER_ID } from '../src/identifiers/steuer-id.ts';
import { AT_UID } from '../src/identifiers/uid-at.ts';
import { UST_IDNR } from '../src/identifiers/ust-idnr.ts';

/**
 * Vectors: `source` says where each was confirmed. "design doc" = /work/shared/design/jp-cooperation-network.md;
 * "stdnum" = python-stdnum / stdnum-js doc tests; "computed" = worked by hand from the published algorithm.
 */
const VECTORS: Record<string, { valid: string[]; invalid: string[]; source: string }> = {
  'jp-my-number': {
    valid: ['621498320257', '123456789018', '123456789000', '123456789050', '000000000019', '999999999996'],
    invalid: ['621498320258', '12345678901', '1234567890188', '12345678901a', '１２３４５６７８９０１８'],
    source: 'design doc (MIC ordinance check-digit formula)',
  },
  'jp-corporate-number': {
    valid: ['5835678256246', '4011001098993'],
    invalid: ['2835678256246', '583567825624', '0835678256246'],
    source: 'stdnum jp.cn doc test (5-8356-7825-6246); qiita.com/mziyut (4011001098993)',
  },
  'ee-isikukood': {
    // 38501010087 needs the second weight stage; 38501011610 falls back to 0 after both stages (computed).
    valid: ['37605030299', '49403136515', '38001085718', '38501010087', '38501011610'],
    invalid: ['37605030298', '39112120752', '97605030299', '37613030299', '3760503029'],
    source: 'stdnum ee.ik doc test (37605030299); computed stage-2 vectors',
  },
  'ee-registrikood': {
    valid: ['12345678', '12213008'],
    invalid: ['12345679', '22345678', '1234567'],
    source: 'stdnum ee.registrikood tests; raigu/company-registry-code-validation README (12213008)',
  },
  'it-codice-fiscale': {
    valid: ['RSSMRA85T10A562S', 'CRRTMS02P26D969D'],
    invalid: ['RSSMRA85T10A562T', 'RSSMRA85T10A562', 'RSSMRA85X10A562S', 'RSSMRA85T32A562S', 'rssmra85t10a562s'],
    source: 'Wikipedia "Italian fiscal code" (RSSMRA85T10A562S); hexdocs codice_fiscale CharCheck doc test (…D969 → D)',
  },
  'it-partita-iva': {
    valid: ['00743110157', '03189950961', '00140869991', '12345670017'],
    invalid: ['12345670018', '12345672017', '0074311015'],
    source: 'Oracle ORA_IT_VAT examples (IT03189950961, IT00140869991, bad IT12345670018); stdnum it.iva',
  },
  'de-steuer-id': {
    valid: ['65929970489', '26954371827'],
    invalid: ['65299970480', '65929970488', '05929970489', '12345678903', '11111111116'],
    source: 'npm validate-steuerid README (EC TIN check modules); ISO 7064 MOD 11,10',
  },
  'de-ust-idnr': {
    valid: ['DE136695976', 'DE129430206', 'DE815243055'],
    invalid: ['DE136695977', '136695976', 'DE13669597'],
    source: 'stdnum de.vat doc test (DE 136,695 976); Oracle ORA_DE_VAT examples',
  },
  'at-svnr': {
    valid: ['1237010180'],
    invalid: ['1238010180', '0237010180', '1237320180', '123701018'],
    source: 'de.wikipedia.org Sozialversicherungsnummer#Österreich worked example (1237 010180)',
  },
  'at-uid': {
    valid: ['ATU13585627', 'ATU15110001', 'ATU66087922'],
    invalid: ['ATU12345678', 'ATU1358562', 'U13585627'],
    source: 'Algorithm::CheckDigits MXX_004 (U13585627); Oracle ORA_AT_VAT examples',
  },
  'es-dni': {
    valid: ['12345678Z', '00000000T'],
    invalid: ['12345678A', '1234567Z', '12345678z'],
    source: 'Ministerio del Interior worked example (12345678 mod 23 = 14 → Z)',
  },
  'es-cif': {
    valid: ['J99216582', 'A58818501', 'A28015865'],
    invalid: ['B83375575', 'A5881850J', 'I99216582'],
    source: 'stdnum es.cif doc test (J99216582); afgomez ValidateSpanishID (B83375575 invalid)',
  },
  'fr-nir': {
    valid: ['255081416802538', '180127512345642'],
    invalid: ['255081416802539', '555081416802538', '2550814168025'],
    source: 'betagouv/nir_validate README; docs.rs worker-matcher parse_fr_nir',
  },
  'fr-siren': {
    valid: ['552008443', '200034528'],
    invalid: ['552008442', '200034582', '55200844'],
    source: 'stdnum fr.siren tests; InseeFrLab/validinsee README',
  },
};

describe('identifier formats: official vectors', () => {
  for (const [scheme, { valid, invalid, source }] of Object.entries(VECTORS)) {
    describe(`${scheme} (${source})`, () => {
      const format = getIdFormat(scheme);
      it.each(valid)('accepts %s', (v) => {
        expect(format.check(v)).toEqual({ valid: true });
        expect(format.validate(v)).toBe(true);
      });
      it.each(invalid)('rejects %s with a reason', (v) => {
        const r = format.check(v);
        expect(r.valid).toBe(false);
        if (!r.valid) expect(r.reason.length).toBeGreaterThan(5);
        expect(format.validate(v)).toBe(false);
      });
    });
  }

  it('has vectors for every format but the (check-digit-free) resident record code', () => {
    expect(Object.keys(ID_FORMATS).filter((s) => !(s in VECTORS))).toEqual(['jp-resident-record-code']);
  });
});

describe('check-digit arithmetic', () => {
  it('My Number: r = 1 and r = 0 both give 0, otherwise 11 − r', () => {
    expect(myNumberCheckDigit('12345678900')).toBe(0); // r = 1
    expect(myNumberCheckDigit('12345678905')).toBe(0); // r = 0
    expect(myNumberCheckDigit('62149832025')).toBe(7);
    expect(() => myNumberCheckDigit('123')).toThrow(RangeError);
  });

  it('My Number: the reason names the expected digit', () => {
    expect(MY_NUMBER.check('621498320258')).toEqual({ valid: false, reason: 'check digit is 8, expected 7' });
    expect(validateMyNumber('621498320257')).toBe(true);
  });

  it('corporate number: the leading digit is 9 − (Σ mod 9), never 0', () => {
    expect(corporateNumberCheckDigit('835678256246')).toBe(5);
    expect(corporateNumberCheckDigit('000000000000')).toBe(9);
  });

  it('codice fiscale: name rules (consonants, vowels, X padding; 1st/3rd/4th consonant of long given names)', () => {
    expect(surnameCode('Rossi')).toBe('RSS');
    expect(surnameCode('Fo')).toBe('FOX');
    expect(surnameCode("D'Angelo")).toBe('DNG');
    expect(givenNameCode('Mario')).toBe('MRA');
    expect(givenNameCode('Gianfranco')).toBe('GFR');
    expect(givenNameCode('Niccolò')).toBe('NCL');
    expect(codiceFiscaleCheckChar('RSSMRA85T10A562')).toBe('S');
  });

  it('codice fiscale: a woman’s day is +40', () => {
    const cf = generateCodiceFiscale(new SeededRandom('t'), {
      familyName: 'Bianchi',
      givenName: 'Giulia',
      dateOfBirth: '1990-06-02',
      gender: 'female',
      placeCode: 'F205',
    });
    expect(cf.slice(0, 15)).toBe('BNCGLI90H42F205');
    expect(CODICE_FISCALE.validate(cf)).toBe(true);
  });

  it('codice fiscale: omocodia letters in numeric positions are accepted', () => {
    // RSSMRA85T10A562S with the last digit of the place code (2 → N) substituted and the check recomputed.
    const body = 'RSSMRA85T10A56N';
    expect(CODICE_FISCALE.validate(`${body}${codiceFiscaleCheckChar(body)}`)).toBe(true);
  });

  it('isikukood encodes century and sex in the first digit', () => {
    const rng = new SeededRandom('t');
    expect(generateIsikukood(rng, { dateOfBirth: '1976-05-03', gender: 'male' }).slice(0, 7)).toBe('3760503');
    expect(generateIsikukood(rng, { dateOfBirth: '2001-12-24', gender: 'female' }).slice(0, 7)).toBe('6011224');
    expect(generateIsikukood(rng, { dateOfBirth: '1899-01-01', gender: 'female' }).slice(0, 7)).toBe('2990101');
  });

  it('NIR: Corsica 2A/2B count as 19/18 for the key', () => {
    const nir = generateNir(new SeededRandom('t'), { dateOfBirth: '1969-11-01', gender: 'male', placeCode: '2A004' });
    expect(nir.slice(0, 10)).toBe('16911' + '2A004');
    expect(NIR.validate(nir)).toBe(true);
    const asNumber = BigInt(`${nir.slice(0, 5)}19${nir.slice(7, 13)}`);
    expect(Number(nir.slice(13))).toBe(97 - Number(asNumber % 97n));
  });

  it('Austrian social insurance number: the date is DDMMYY and remainder-10 serials are skipped', () => {
    for (let i = 0; i < 200; i++) {
      const v = generateSozialversicherungsnummer(new SeededRandom('t', String(i)), { dateOfBirth: '1980-01-01' });
      expect(v.slice(4)).toBe('010180');
      expect(SOZIALVERSICHERUNGSNUMMER.validate(v)).toBe(true);
    }
  });

  it('Steuer-IdNr: the structure rule is enforced before the check digit', () => {
    expect(STEUER_ID.check('65299970480')).toEqual({ valid: false, reason: 'digit 9 occurs three times in a row' });
    expect(STEUER_ID.check('12345678903')).toMatchObject({
      valid: false,
      reason: expect.stringContaining('more than once'),
    });
  });

  it('every format declares its country, subject and an https reference', () => {
    for (const f of Object.values(ID_FORMATS)) {
      expect(f.see).toMatch(/^https:\/\//);
      expect(['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP']).toContain(f.country);
    }
    expect(
      [AT_UID, CIF, CORPORATE_NUMBER, PARTITA_IVA, REGISTRIKOOD, SIREN, UST_IDNR].every(
        (f) => f.subject === 'organisation',
      ),
    ).toBe(true);
    expect(
      [DNI, ISIKUKOOD, MY_NUMBER, NIR, RESIDENT_RECORD_CODE, SOZIALVERSICHERUNGSNUMMER, STEUER_ID].every(
        (f) => f.subject === 'person',
      ),
    ).toBe(true);
  });

  it('getIdFormat names the known schemes when asked for an unknown one', () => {
    expect(() => getIdFormat('xx-nope')).toThrow(
      expect.objectContaining({ code: 'not-found', message: expect.stringContaining('jp-my-number') }),
    );
  });
});
