import { describe, expect, it } from 'vitest';
import { isEbmsError } from '../src/errors/ebms-error.ts';
import { accessPointPartyId, EBMS } from '../src/message/ns.ts';
import type { UserMessage } from '../src/message/z-user-message.ts';
import { defaultPModes, loadPModes, matchPMode } from '../src/pmode/load-pmodes.ts';
import { retryDelayMs, retryHorizonMs } from '../src/pmode/z-pmode.ts';

const parties = ['DE', 'JP'].map(accessPointPartyId);
const base = () => defaultPModes({ parties });
const um = (over: Partial<UserMessage> = {}): UserMessage => ({
  messageId: 'm-1@x',
  timestamp: '2026-06-01T00:00:00Z',
  from: { partyId: 'kakehashi-ap-de', partyIdType: EBMS.unregisteredPartyType, role: EBMS.initiatorRole },
  to: { partyId: 'kakehashi-ap-jp', partyIdType: EBMS.unregisteredPartyType, role: EBMS.responderRole },
  service: { value: 'urn:kakehashi:service:evidence', type: 'urn:kakehashi:service-type' },
  action: 'ExecuteQueryRequest',
  conversationId: 'c',
  properties: [],
  parts: [],
  ...over,
});
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isEbmsError(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('P-Modes', () => {
  it('defaults load with phase4-like reception awareness and a 10-minute duplicate window', () => {
    const p = loadPModes(base());
    expect(p.map((x) => x.id)).toEqual(['kakehashi-evidence', 'kakehashi-notification']);
    expect(p[0]?.receptionAwareness).toEqual({ retries: 1, retryIntervalMs: 10_000, backoff: 2 });
    expect(p[0]?.duplicateDetection.windowMs).toBe(600_000);
    expect(p[0]?.security.encrypt).toBe(true);
  });

  it('are validated at load: schema, unique ids, no ambiguity, retries inside the duplicate window', () => {
    expect(() => loadPModes([])).toThrow(/non-empty/);
    expect(() => loadPModes([{ ...base()[0], actions: [] }])).toThrow(/actions/);
    expect(() => loadPModes([base()[0], base()[0]])).toThrow(/Two P-Modes have the id/);
    expect(() => loadPModes([base()[0], { ...base()[0], id: 'other' }])).toThrow(/ambiguous/);
    expect(() =>
      loadPModes([{ ...base()[0], receptionAwareness: { retries: 5, retryIntervalMs: 100_000, backoff: 2 } }]),
    ).toThrow(/duplicate-detection window/);
    expect(() => loadPModes([{ ...base()[0], security: { sign: false } }])).toThrow(/security.sign/);
    expect(() => loadPModes([{ ...base()[0], surprise: 1 }])).toThrow(/invalid/);
  });

  it('backoff is exponential and the horizon sums the waits', () => {
    const [p] = loadPModes([{ ...base()[0], receptionAwareness: { retries: 3, retryIntervalMs: 1000, backoff: 2 } }]);
    expect([1, 2, 3].map((n) => retryDelayMs(p!, n))).toEqual([1000, 2000, 4000]);
    expect(retryHorizonMs(p!)).toBe(7000);
  });

  it('matching a received message: unknown service/action → EBMS:0001; wrong parties, roles or agreement → EBMS:0010', () => {
    const p = loadPModes(base());
    expect(matchPMode(p, um()).id).toBe('kakehashi-evidence');
    expect(code(() => matchPMode(p, um({ service: { value: 'urn:x', type: 'urn:kakehashi:service-type' } })))).toBe(
      'EBMS:0001',
    );
    expect(code(() => matchPMode(p, um({ action: 'Notify' })))).toBe('EBMS:0001');
    expect(code(() => matchPMode(p, um({ from: { ...um().from, partyId: 'kakehashi-ap-fr' } })))).toBe('EBMS:0010');
    expect(code(() => matchPMode(p, um({ to: { ...um().to, role: 'Buyer' } })))).toBe('EBMS:0010');
    expect(code(() => matchPMode(p, um({ from: { ...um().from, partyIdType: undefined } })))).toBe('EBMS:0010');
    expect(code(() => matchPMode(p, um({ agreementRef: { value: 'urn:other' } })))).toBe('EBMS:0010');
  });
});
