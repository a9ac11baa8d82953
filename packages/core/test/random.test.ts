import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/index.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A mixed sequence of draws, to compare two streams. */
function draws(r: SeededRandom): unknown[] {
  return [r.bytes(7).toString('hex'), r.int(1000), r.uuid(), r.hex(5), r.digits(6), r.range(-5, 5), r.id('msg')];
}

describe('SeededRandom determinism', () => {
  it('the same seed and label give the same bytes, uuids and ints (any seed, any label)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 20 }), (seed, label) => {
        expect(draws(new SeededRandom(seed, label))).toEqual(draws(new SeededRandom(seed, label)));
      }),
      { numRuns: 200 },
    );
  });

  it('is stable across versions (golden values for seed "kakehashi-demo")', () => {
    // Changing the generator changes every key, persona and identifier of a seed: that must be deliberate.
    const r = new SeededRandom('kakehashi-demo');
    expect(r.bytes(8).toString('hex')).toBe('4e1e5a1229f02bd7');
    expect(r.int(1_000_000)).toBe(913702);
    expect(r.uuid()).toBe('2428db1a-eebb-4ac8-ab58-52fe1d6450fd');
    expect(new SeededRandom('kakehashi-demo').fork('trust').hex(8)).toBe('bbcd21c2201c55db');
  });

  it('different seeds or labels give different streams', () => {
    const a = new SeededRandom('seed-a').hex(32);
    expect(new SeededRandom('seed-b').hex(32)).not.toBe(a);
    expect(new SeededRandom('seed-a', 'other').hex(32)).not.toBe(a);
    expect(new SeededRandom('seed-a', 'root').hex(32)).toBe(a);
  });

  it('bytes() is one stream whatever the chunking', () => {
    const whole = new SeededRandom('chunks').bytes(100);
    const r = new SeededRandom('chunks');
    const parts = Buffer.concat([r.bytes(1), r.bytes(31), r.bytes(32), r.bytes(0), r.bytes(36)]);
    expect(parts.equals(whole)).toBe(true);
    expect(whole.length).toBe(100);
  });

  it('bytes() returns copies: mutating one does not change later draws', () => {
    const a = new SeededRandom('copy');
    const b = new SeededRandom('copy');
    const x = a.bytes(4);
    x.fill(0);
    b.bytes(4);
    expect(a.bytes(16).equals(b.bytes(16))).toBe(true);
  });
});

describe('SeededRandom.fork', () => {
  it('labels forks as a path and reproduces them', () => {
    const root = new SeededRandom('s');
    const f = root.fork('trust').fork('JP');
    expect(f.label).toBe('root/trust/JP');
    expect(f.seed).toBe('s');
    expect(f.hex(16)).toBe(new SeededRandom('s', 'root/trust/JP').hex(16));
  });

  it('drawing from one fork does not change another fork, nor the parent', () => {
    const expected = new SeededRandom('s').fork('b').hex(32);
    const expectedParent = new SeededRandom('s').hex(32);

    const root = new SeededRandom('s');
    const a = root.fork('a');
    const b = root.fork('b');
    a.bytes(1000);
    root.fork('a').bytes(10);
    expect(b.hex(32)).toBe(expected);
    expect(root.hex(32)).toBe(expectedParent);
  });

  it('a fork differs from its parent and from its siblings', () => {
    const root = new SeededRandom('s');
    const values = new Set([root.fork('a').hex(16), root.fork('b').hex(16), new SeededRandom('s').hex(16)]);
    expect(values.size).toBe(3);
  });
});

describe('SeededRandom draws', () => {
  it('int(n) stays in [0, n) for any n', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 2 ** 48 }), (seed, n) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < 5; i++) {
          const v = r.int(n);
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThan(n);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('int(1) is always 0', () => {
    const r = new SeededRandom('one');
    for (let i = 0; i < 10; i++) expect(r.int(1)).toBe(0);
  });

  it('int refuses a bound it cannot draw from (zero, negative, fractional, unsafe, above 2^48)', () => {
    const r = new SeededRandom('bad');
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 48 + 1, 2 ** 50]) {
      expect(() => r.int(n), String(n)).toThrow(RangeError);
    }
  });

  it('int is roughly uniform (chi-square over 10 buckets)', () => {
    const r = new SeededRandom('uniform');
    const n = 20_000;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(10)]!++;
    const expected = n / 10;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001. The stream is fixed, so this never flakes.
    expect(chi2).toBeLessThan(27.88);
    for (const c of counts) expect(c).toBeGreaterThan(expected * 0.9);
  });

  it('range(min, max) is inclusive and covers both ends', () => {
    const r = new SeededRandom('range');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const v = r.range(3, 6);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(6);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(r.range(7, 7)).toBe(7);
  });

  it('pick chooses an element and refuses an empty list', () => {
    const r = new SeededRandom('pick');
    const items = ['a', 'b', 'c'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(r.pick(items));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('digits, hex and id have the right shape', () => {
    const r = new SeededRandom('shape');
    expect(r.digits(12)).toMatch(/^\d{12}$/);
    expect(r.digits(0)).toBe('');
    expect(r.hex(5)).toMatch(/^[0-9a-f]{10}$/);
    expect(r.id('msg')).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('uuid() is RFC 9562 version-4 shaped and distinct within a stream', () => {
    const r = new SeededRandom('uuid');
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const u = r.uuid();
      expect(u).toMatch(UUID_V4);
      seen.add(u);
    }
    expect(seen.size).toBe(1000);
  });
});
