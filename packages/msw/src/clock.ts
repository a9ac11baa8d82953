import { parseDuration, type VirtualClock } from '@kakehashi/core';

/**
 * The federation's virtual clock, as a test drives it: every certificate, token, trusted list and retry schedule
 * of the federation reads it, so advancing it expires them all together. Each method returns the new time.
 */
export interface TestClock {
  now(): Date;
  /** Stops time at `at` (default: now). */
  freeze(at?: Date | string): Date;
  /** Moves time forward (or back, negative): `'10m'`, `'30d'`, `'2h'`, `'500ms'` or milliseconds. */
  advance(by: string | number): Date;
  /** Jumps to `at`, frozen there unless `{ frozen: false }`. */
  set(at: Date | string, options?: { frozen?: boolean }): Date;
  /** Lets time run again from the current virtual instant. */
  resume(): Date;
  /** Back to real time. */
  reset(): Date;
}

export function createTestClock(clock: VirtualClock): TestClock {
  const date = (at: Date | string) => (at instanceof Date ? at : new Date(at));
  return {
    now: () => clock.now(),
    freeze: (at) => {
      clock.freeze(at === undefined ? undefined : date(at));
      return clock.now();
    },
    advance: (by) => {
      clock.advance(parseDuration(by));
      return clock.now();
    },
    set: (at, options = {}) => {
      clock.set(date(at), options.frozen !== false);
      return clock.now();
    },
    resume: () => {
      clock.resume();
      return clock.now();
    },
    reset: () => {
      clock.reset();
      return clock.now();
    },
  };
}
