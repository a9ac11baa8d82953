import { DcqlPresentationResult, DcqlQuery } from 'dcql';
import { describe, expect, it } from 'vitest';
import { type DcqlSdJwtPresentation, satisfiesDcql } from '../src/verifier/satisfies-dcql.ts';

/**
 * The verifier reads the common DCQL query itself instead of through the dcql library's parsers, built anew for every
 * presentation (issue 15): its answer must be the library's on every input, the one for which it answers directly
 * and the one it hands to the library. Compared here over many queries and credentials, odd ones included.
 */
function library(query: DcqlQuery, id: string, p: DcqlSdJwtPresentation): boolean | 'throws' {
  try {
    return DcqlPresentationResult.fromDcqlPresentation({ [id]: [p as never] }, { dcqlQuery: query }).can_be_satisfied;
  } catch {
    return 'throws';
  }
}
function ours(query: DcqlQuery, id: string, p: DcqlSdJwtPresentation): boolean | 'throws' {
  try {
    return satisfiesDcql(query, id, p);
  } catch {
    return 'throws';
  }
}

const parse = (q: unknown) => {
  const query = DcqlQuery.parse(q as never);
  DcqlQuery.validate(query);
  return query;
};

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['given_name', 'family_name', 'birthdate', 'address', 'street', 'nationalities', '0', 'age_over_18'];
const ODD_NAMES = ['constructor', 'toString', 'length', '__proto__', 'map'];
const LEAVES: unknown[] = ['Mari', '', 0, 18, false, true, null, 'EE', ['EE', 'FI'], [], { street: 'Tähe 1' }];

describe('satisfiesDcql answers as the dcql library', () => {
  const base = {
    given_name: 'Mari',
    family_name: 'Maasikas',
    birthdate: '1990-01-01',
    address: { street: 'Tähe 1', country: 'EE' },
    nationalities: ['EE'],
    age_over_18: true,
  };
  const pid = (claims: Record<string, unknown>, over: Partial<DcqlSdJwtPresentation> = {}): DcqlSdJwtPresentation => ({
    credential_format: 'dc+sd-jwt',
    vct: 'urn:eudi:pid:1',
    claims,
    cryptographic_holder_binding: true,
    ...over,
  });
  const query = (claims: unknown[], more: Record<string, unknown> = {}) =>
    parse({
      credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] }, claims, ...more }],
    });

  it('the verifier default query: satisfied with the claims, refused without one, with null, of another vct or format', () => {
    const q = query([{ path: ['family_name'] }, { path: ['given_name'] }, { path: ['birthdate'] }]);
    const { birthdate: _b, ...noBirthdate } = base;
    const cases: [DcqlSdJwtPresentation, boolean][] = [
      [pid(base), true],
      [pid(noBirthdate), false],
      [pid({ ...base, given_name: null }), false],
      [pid({ ...base, given_name: undefined }), false],
      [pid({ ...base, given_name: '' }), true],
      [pid(base, { vct: 'urn:eudi:other:1' }), false],
      [pid(base, { credential_format: 'vc+sd-jwt' }), false],
      [pid(base, { cryptographic_holder_binding: false }), false],
    ];
    for (const [p, want] of cases) {
      expect(library(q, 'pid', p)).toBe(want);
      expect(ours(q, 'pid', p)).toBe(want);
    }
  });

  it('values, nested paths, arrays walked by name, no vct_values, holder binding not required', () => {
    const queries = [
      query([{ path: ['age_over_18'], values: [true] }]),
      query([{ path: ['address', 'street'] }]),
      query([{ path: ['address', 'street'], values: ['Tähe 1', 'Other'] }]),
      query([{ path: ['nationalities', '0'] }]),
      query([{ path: ['address'] }]),
      parse({ credentials: [{ id: 'pid', format: 'dc+sd-jwt', claims: [{ path: ['given_name'] }] }] }),
      query([{ path: ['given_name'] }], { require_cryptographic_holder_binding: false }),
      parse({ credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] } }] }),
    ];
    const presentations = [
      pid(base),
      pid({ ...base, age_over_18: 'true' }),
      pid({ ...base, address: null }),
      pid({ ...base, address: 'Tähe 1' }),
      pid({ ...base, nationalities: [] }),
      pid(base, { vct: 'x' }),
      pid(base, { cryptographic_holder_binding: false }),
    ];
    for (const q of queries) for (const p of presentations) expect(ours(q, 'pid', p)).toBe(library(q, 'pid', p));
  });

  it('queries the library answers: numeric and wildcard paths, claim_sets, credential_sets, another id, two credentials', () => {
    const two = parse({
      credentials: [
        { id: 'pid', format: 'dc+sd-jwt', claims: [{ path: ['given_name'] }] },
        { id: 'other', format: 'dc+sd-jwt', claims: [{ path: ['given_name'] }] },
      ],
    });
    const queries: [DcqlQuery, string][] = [
      [query([{ path: ['nationalities', 0] }]), 'pid'],
      [query([{ path: ['nationalities', null] }]), 'pid'],
      [
        query(
          [
            { id: 'a', path: ['given_name'] },
            { id: 'b', path: ['nickname'] },
          ],
          {
            claim_sets: [['b'], ['a']],
          },
        ),
        'pid',
      ],
      [two, 'pid'],
      [
        parse({
          credentials: two.credentials,
          credential_sets: [{ options: [['pid'], ['other']] }],
        }),
        'pid',
      ],
      [query([{ path: ['given_name'] }]), 'unknown'],
    ];
    for (const [q, id] of queries) expect(ours(q, id, pid(base))).toBe(library(q, id, pid(base)));
  });

  it('agrees on 3,000 random queries and credentials, inherited member names and objects at the end included', () => {
    const next = random(15);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const name = () => (next() < 0.1 ? pick(ODD_NAMES) : pick(NAMES));
    const value = (depth: number): unknown => {
      if (depth > 0 && next() < 0.35) {
        const o: Record<string, unknown> = {};
        for (let i = Math.floor(next() * 4); i > 0; i--) {
          const k = name();
          if (k === '__proto__')
            Object.defineProperty(o, k, {
              value: value(depth - 1),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else o[k] = value(depth - 1);
        }
        return o;
      }
      return pick(LEAVES);
    };
    const answers = { true: 0, false: 0, throws: 0 };
    for (let i = 0; i < 3000; i++) {
      const claims: Record<string, unknown> = {};
      for (const k of [...NAMES, ...ODD_NAMES]) if (next() < (NAMES.includes(k) ? 0.8 : 0.1)) claims[k] = value(2);
      const q = query(
        Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
          path: Array.from({ length: 1 + Math.floor(next() * 2) }, name),
          ...(next() < 0.2 ? { values: [pick(['Mari', 'EE', 18, true, false, 0] as const)] } : {}),
        })),
      );
      const p = pid(claims, {
        ...(next() < 0.1 ? { vct: 'urn:other' } : {}),
        ...(next() < 0.05 ? { credential_format: 'vc+sd-jwt' } : {}),
      });
      const want = library(q, 'pid', p);
      expect(ours(q, 'pid', p), JSON.stringify({ q, claims })).toBe(want);
      answers[`${want}`]++;
    }
    expect(answers.true).toBeGreaterThan(300);
    expect(answers.false).toBeGreaterThan(300);
  });
});
