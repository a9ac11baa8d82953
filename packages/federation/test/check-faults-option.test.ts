import { isKakehashiError } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { checkFaultsOption, weakNodeFaults } from '../src/check-faults-option.ts';
// Registers every block's faults, as the federation does at start.
import '../src/index.ts';

const COUNTRIES = ['DE', 'EE'];
const refusal = (entries: string[]) => {
  try {
    checkFaultsOption(entries, COUNTRIES);
  } catch (e) {
    if (isKakehashiError(e, 'config-invalid')) return e.message;
    throw e;
  }
  return undefined;
};

describe('the faults option, checked at start', () => {
  it('accepts names, patterns and scopes that name a fault of some component', () => {
    expect(
      refusal(['hub.relay-slow', 'hub:hub.*', 'de:lenient.*', 'EE:id-token.alg-none', '*', ' hub.relay-failing ']),
    ).toBe(undefined);
  });

  it('refuses an entry that names no fault, naming it and the known faults', () => {
    const msg = refusal(['hub.relay-slow', 'id-token.alg-nonee']);
    expect(msg).toContain('"id-token.alg-nonee" names no fault of any component');
    expect(msg).toContain('hub.discovery-stale');
    expect(refusal(['DE:nothing.*'])).toContain('"DE:nothing.*"');
  });

  it('refuses a scope that is neither hub nor a country of the federation', () => {
    expect(refusal(['FR:lenient.*'])).toContain('neither hub nor a country of this federation (DE, EE)');
  });

  it('--weak-node CC is CC:lenient.*, repeatable and comma-separated', () => {
    expect(weakNodeFaults(['de', 'EE, fr', ''])).toEqual(['DE:lenient.*', 'EE:lenient.*', 'FR:lenient.*']);
  });
});
