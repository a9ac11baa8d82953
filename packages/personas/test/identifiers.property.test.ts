import { SeededRandom } from '@kakehashi/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../tests/support/property-runs.ts';
import { MY_NUMBER } from '../src/identifiers/my-number.ts';
import { createIssuer, ID_FORMATS } from '../src/identifiers/registry.ts';

// A tenth of the full counts by default; KAKEHASHI_PROPERTY_RUNS=full draws them all (tests/support/property-runs.ts).
const DRAWS = propertyRuns(10_000);

describe('generated identifiers always validate (fast-check)', { timeout: 120_000 }, () => {
  for (const format of Object.values(ID_FORMATS)) {
    it(`${format.scheme}: ${DRAWS} draws from arbitrary seeds`, () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 24 }), fc.nat(), (seed, n) => {
          const value = format.generate(new SeededRandom(seed, `property/${n}`));
          const check = format.check(value);
          if (!check.valid) throw new Error(`${format.scheme} generated ${value}: ${check.reason}`);
        }),
        { numRuns: DRAWS },
      );
    });
  }

  const birthDate = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const facts = fc.record({ dateOfBirth: birthDate, gender: fc.constantFrom('male' as const, 'female' as const) });

  it('person formats that encode facts validate for any birth date and sex', () => {
    const schemes = ['ee-isikukood', 'at-svnr', 'fr-nir', 'it-codice-fiscale'];
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), facts, (seed, f) => {
        for (const scheme of schemes) {
          const format = ID_FORMATS[scheme]!;
          const value = format.generate(new SeededRandom(seed, scheme), f);
          expect(format.check(value)).toEqual({ valid: true });
        }
      }),
      { numRuns: propertyRuns(2_000) },
    );
  });

  it('a single changed digit of a Luhn-checked number is always detected', () => {
    const luhn = ['it-partita-iva', 'fr-siren'].map((s) => ID_FORMATS[s]!);
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.nat(10), fc.integer({ min: 1, max: 9 }), (seed, pos, delta) => {
        for (const f of luhn) {
          const v = f.generate(new SeededRandom(seed));
          const i = pos % v.length;
          const mutated = `${v.slice(0, i)}${(Number(v[i]) + delta) % 10}${v.slice(i + 1)}`;
          expect(f.validate(mutated)).toBe(false);
        }
      }),
      { numRuns: propertyRuns(2_000) },
    );
  });
});

describe('My Number issuance', { timeout: 120_000 }, () => {
  it('issues 100,000 distinct, valid My Numbers', () => {
    const issuer = createIssuer(MY_NUMBER, new SeededRandom('uniqueness', 'jp/my-number'));
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const n = issuer.issue();
      expect(n).toMatch(/^\d{12}$/);
      seen.add(n);
    }
    expect(seen.size).toBe(100_000);
    expect(issuer.issued).toBe(100_000);
    for (const n of [...seen].slice(0, 1000)) expect(MY_NUMBER.validate(n)).toBe(true);
  });

  it('is deterministic: the same seed issues the same sequence', () => {
    const a = createIssuer(MY_NUMBER, new SeededRandom('s', 'x'));
    const b = createIssuer(MY_NUMBER, new SeededRandom('s', 'x'));
    const c = createIssuer(MY_NUMBER, new SeededRandom('t', 'x'));
    const [sa, sb, sc] = [a, b, c].map((iss) => Array.from({ length: 50 }, () => iss.issue()));
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });
});
