import { describe, expect, it } from 'vitest';
import { TextMemo } from '../src/crypto/text-memo.ts';

/** The memo of JWS headers and status list tokens finds a value by comparing texts (issue 15): only equal ones match. */
describe('TextMemo', () => {
  it('finds a value by an equal text made anew, never by another text of the same length', () => {
    const memo = new TextMemo<number>(8);
    const header = `eyJ${'A'.repeat(3000)}`;
    memo.set(header, 1);
    expect(memo.get(`eyJ${'A'.repeat(3000)}`)).toBe(1);
    expect(memo.get(`eyJ${'A'.repeat(2999)}B`)).toBeUndefined();
    expect(memo.get(`eyJ${'A'.repeat(2999)}`)).toBeUndefined();
    memo.set(`eyJ${'A'.repeat(2999)}B`, 2);
    expect(memo.get(header)).toBe(1);
    expect(memo.get(`eyJ${'A'.repeat(2999)}B`)).toBe(2);
  });

  it('replaces the value of a text kept, forgets a deleted one', () => {
    const memo = new TextMemo<string>(4);
    memo.set('abc', 'x');
    memo.set('abc', 'y');
    expect(memo.size).toBe(1);
    expect(memo.get('abc')).toBe('y');
    memo.delete('abc');
    expect(memo.get('abc')).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it('keeps at most max texts, the oldest going first (a text set again is the newest)', () => {
    const memo = new TextMemo<number>(3);
    for (const [i, t] of ['aa', 'bb', 'cc'].entries()) memo.set(t, i);
    memo.set('aa', 10);
    memo.set('dd', 3);
    expect(memo.size).toBe(3);
    expect(memo.get('bb')).toBeUndefined();
    expect([memo.get('aa'), memo.get('cc'), memo.get('dd')]).toEqual([10, 2, 3]);
    for (let i = 0; i < 100; i++) memo.set(`t${i}`, i);
    expect(memo.size).toBe(3);
    expect([memo.get('t97'), memo.get('t98'), memo.get('t99'), memo.get('dd')]).toEqual([97, 98, 99, undefined]);
  });
});
