import { VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { createAuthorizationState, TX_CODE_ATTEMPTS } from '../src/issuer/authorization-state.ts';

const request = { clientId: 'w', redirectUri: 'https://w.test/cb', codeChallenge: 'a'.repeat(43) };

describe("the PID provider's authorization code state", () => {
  it('a pushed request, a login and a code are each good once, and expire on the virtual clock', () => {
    const clock = new VirtualClock();
    const s = createAuthorizationState(clock);
    const uri = s.push(request);
    expect(uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(s.takePushed(uri)).toEqual(request);
    expect(s.takePushed(uri)).toBeUndefined();
    const login = s.startLogin({ request, codeVerifier: 'v', nonce: 'n' });
    expect(s.takeLogin(login)?.nonce).toBe('n');
    expect(s.takeLogin(login)).toBeUndefined();
    const code = s.newCode({ personaId: 'ee-001', request });
    expect(s.takeCode(code)?.personaId).toBe('ee-001');
    expect(s.takeCode(code)).toBeUndefined();
    const late = s.push(request);
    const lateCode = s.newCode({ personaId: 'ee-001', request });
    clock.advance(61_000);
    expect(s.takePushed(late)).toBeUndefined();
    expect(s.takeCode(lateCode)).toBeUndefined();
  });

  it("an offer's issuer_state is known until a code is issued for it", () => {
    const s = createAuthorizationState(new VirtualClock());
    const issuerState = s.newIssuerState();
    expect(s.knowsIssuerState(issuerState)).toBe(true);
    expect(s.knowsIssuerState('forged')).toBe(false);
    s.newCode({ personaId: 'ee-001', request: { ...request, issuerState } });
    expect(s.knowsIssuerState(issuerState)).toBe(false);
  });

  it('a transaction code: missing costs nothing, each wrong one an attempt, the last wrong one burns it', () => {
    const s = createAuthorizationState(new VirtualClock());
    expect(s.checkTxCode('code-0', undefined)).toBe('none');
    const tx = s.newTxCode('code-1');
    expect(tx).toMatch(/^\d{6}$/);
    const wrong = tx === '000000' ? '111111' : '000000';
    expect(s.checkTxCode('code-1', undefined)).toBe('missing');
    for (let i = 1; i < TX_CODE_ATTEMPTS; i++) expect(s.checkTxCode('code-1', wrong)).toBe('wrong');
    expect(s.checkTxCode('code-1', wrong)).toBe('burnt');
    const tx2 = s.newTxCode('code-2');
    expect(s.checkTxCode('code-2', wrong === tx2 ? '222222' : wrong)).toBe('wrong');
    expect(s.checkTxCode('code-2', tx2)).toBe('ok');
  });
});
