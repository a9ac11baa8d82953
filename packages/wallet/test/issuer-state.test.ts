import { VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { createIssuerState } from '../src/issuer/issuer-state.ts';

describe("the PID provider's flow state", () => {
  it('a pre-authorised code and a c_nonce are good once; both expire on the virtual clock', () => {
    const clock = new VirtualClock();
    const s = createIssuerState(clock);
    const code = s.newCode('ee-001');
    expect(s.consumeCode(code)).toBe('ee-001');
    expect(s.consumeCode(code)).toBeUndefined();
    const nonce = s.newNonce();
    expect(s.consumeNonce(nonce)).toBe(true);
    expect(s.consumeNonce(nonce)).toBe(false);
    const late = s.newCode('ee-001');
    const lateNonce = s.newNonce();
    clock.advance(301_000);
    expect(s.consumeCode(late)).toBeUndefined();
    expect(s.consumeNonce(lateNonce)).toBe(false);
  });

  it('keeps at most 10 000 nonces: a flood drops the oldest', () => {
    const s = createIssuerState(new VirtualClock());
    const first = s.newNonce();
    for (let i = 0; i < 10_000; i++) s.newNonce();
    expect(s.consumeNonce(first)).toBe(false);
    expect(s.consumeNonce(s.newNonce())).toBe(true);
  });
});
