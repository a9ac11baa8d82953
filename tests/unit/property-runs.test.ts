import { afterEach, describe, expect, it } from 'vitest';
import { propertyRuns } from '../support/property-runs.ts';

describe('propertyRuns: one setting for the property tests’ counts', () => {
  const saved = process.env.KAKEHASHI_PROPERTY_RUNS;
  afterEach(() => {
    if (saved === undefined) delete process.env.KAKEHASHI_PROPERTY_RUNS;
    else process.env.KAKEHASHI_PROPERTY_RUNS = saved;
  });

  it('draws a tenth of the full count by default, at least the minimum, never more than the full count', () => {
    delete process.env.KAKEHASHI_PROPERTY_RUNS;
    expect(propertyRuns(10_000)).toBe(1_000);
    expect(propertyRuns(2_000)).toBe(200);
    expect(propertyRuns(500)).toBe(100);
    expect(propertyRuns(50)).toBe(50);
    expect(propertyRuns(2_000, 500)).toBe(500);
  });

  it('KAKEHASHI_PROPERTY_RUNS=full draws the full counts; a number scales the default share, capped', () => {
    process.env.KAKEHASHI_PROPERTY_RUNS = 'full';
    expect(propertyRuns(10_000)).toBe(10_000);
    process.env.KAKEHASHI_PROPERTY_RUNS = '5';
    expect(propertyRuns(10_000)).toBe(5_000);
    process.env.KAKEHASHI_PROPERTY_RUNS = '20';
    expect(propertyRuns(10_000)).toBe(10_000);
    process.env.KAKEHASHI_PROPERTY_RUNS = 'lots';
    expect(() => propertyRuns(10_000)).toThrow(/KAKEHASHI_PROPERTY_RUNS must be "full" or a positive number/);
  });
});
