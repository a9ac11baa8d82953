import { describe, expect, it } from 'vitest';
import { newSecret, randomToken } from '../src/authorize/issue-code.ts';

/** Bearer secrets from a pooled CSPRNG block (issue 15): each byte handed out once, across refills of the pool. */
describe('randomToken', () => {
  it('gives base64url secrets of the asked length, all distinct across several refills of the pool', () => {
    const seen = new Set<string>();
    // 32 + 18 bytes per round: the 4 KB pool is refilled several times, at offsets that do not divide it.
    for (let i = 0; i < 400; i++) {
      const a = newSecret();
      const b = randomToken(18);
      expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(b).toMatch(/^[A-Za-z0-9_-]{24}$/);
      seen.add(a).add(b);
    }
    expect(seen.size).toBe(800);
  });

  it('is not a run of zeros (the pool is zeroed behind what it hands out, never before)', () => {
    const zeros = Buffer.alloc(32).toString('base64url');
    for (let i = 0; i < 300; i++) expect(newSecret()).not.toBe(zeros);
  });
});
