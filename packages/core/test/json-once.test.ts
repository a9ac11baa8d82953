import { describe, expect, it } from 'vitest';
import { jsonOnce, jsonReusing } from '../src/index.ts';

describe('JSON made once per object (a verdict answered and traced)', () => {
  it('jsonReusing writes exactly what JSON.stringify writes', () => {
    const values: unknown[] = [
      null,
      1,
      'x"y',
      [1, undefined, { a: 2 }],
      { a: undefined, b: () => 1, c: Symbol('s'), d: null, e: [undefined], f: { g: { h: { i: 1 } } } },
      { when: new Date(0), nested: { toJSON: () => 'custom' }, 'k"ey': true },
      Object.assign(Object.create(null), { z: 1, y: [2] }),
      { checks: [{ rule: 'J1', outcome: 'passed', reason: 'é ✓' }], valid: true },
    ];
    for (const v of values) expect(jsonReusing(v)).toBe(JSON.stringify(v));
  });

  it("reuses the text jsonOnce made for a member, down to the trace event's verdict's checks", () => {
    const checks = [{ rule: 'J1', outcome: 'passed', reason: 'signed' }];
    const text = jsonOnce(checks);
    expect(text).toBe(JSON.stringify(checks));
    // Changed after it was serialised (which verdicts never are): the kept text shows it was reused, not redone.
    checks.push({ rule: 'J2', outcome: 'passed', reason: 'later' });
    const event = { traceId: 't', verdict: { valid: true, checks } };
    expect(jsonReusing(event)).toBe(`{"traceId":"t","verdict":{"valid":true,"checks":${text}}}`);
    expect(jsonOnce(checks)).toBe(text);
  });
});
