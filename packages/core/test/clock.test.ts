import { describe, expect, it } from 'vitest';
import { isKakehashiError, parseDuration, VirtualClock } from '../src/index.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2027-01-01T00:00:00.000Z');

/** A controllable "real" time source. */
function fakeReal(start = T0) {
  let now = start;
  return { now: () => now, tick: (ms: number) => (now += ms) };
}

function expectCode(fn: () => unknown, code: string) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isKakehashiError(caught), `expected a KakehashiError ${code}, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

describe('VirtualClock', () => {
  it('follows real time by default', () => {
    const clock = new VirtualClock();
    const before = Date.now();
    const t = clock.nowMs();
    const after = Date.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
    expect(clock.now()).toBeInstanceOf(Date);
    expect(clock.state()).toMatchObject({ frozen: false });
    expect(Math.abs(clock.state().offsetMs)).toBeLessThan(1000);
  });

  it('tracks an injected real-time source while running', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    expect(clock.nowMs()).toBe(T0);
    real.tick(5000);
    expect(clock.nowMs()).toBe(T0 + 5000);
    expect(clock.state()).toEqual({ now: new Date(T0 + 5000).toISOString(), frozen: false, offsetMs: 0 });
  });

  it('freeze stops time at the current instant, or at a given one', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    clock.freeze();
    real.tick(60_000);
    expect(clock.nowMs()).toBe(T0);
    expect(clock.state().frozen).toBe(true);
    clock.freeze(new Date('2030-05-05T12:00:00Z'));
    real.tick(60_000);
    expect(clock.now().toISOString()).toBe('2030-05-05T12:00:00.000Z');
  });

  it('freeze refuses an invalid date', () => {
    const clock = new VirtualClock(fakeReal().now);
    expectCode(() => clock.freeze(new Date('not a date')), 'clock-invalid');
    expect(clock.state().frozen).toBe(false);
  });

  it('advance moves frozen time forward and back', () => {
    const clock = new VirtualClock(fakeReal().now);
    clock.freeze();
    clock.advance(30 * DAY);
    expect(clock.nowMs()).toBe(T0 + 30 * DAY);
    clock.advance(-DAY);
    expect(clock.nowMs()).toBe(T0 + 29 * DAY);
    expect(clock.state().frozen).toBe(true);
  });

  it('advance while running keeps time running, offset by the amount', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    clock.advance(2 * DAY);
    expect(clock.nowMs()).toBe(T0 + 2 * DAY);
    real.tick(1000);
    expect(clock.nowMs()).toBe(T0 + 2 * DAY + 1000);
    expect(clock.state()).toMatchObject({ frozen: false, offsetMs: 2 * DAY });
  });

  it('advance refuses a non-finite amount and changes nothing', () => {
    const clock = new VirtualClock(fakeReal().now);
    expectCode(() => clock.advance(Number.NaN), 'clock-invalid');
    expectCode(() => clock.advance(Number.POSITIVE_INFINITY), 'clock-invalid');
    expect(clock.nowMs()).toBe(T0);
  });

  it('resume lets time run again from the frozen instant', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    clock.freeze();
    clock.advance(DAY);
    real.tick(10_000); // passes while frozen: not counted
    clock.resume();
    expect(clock.nowMs()).toBe(T0 + DAY);
    real.tick(500);
    expect(clock.nowMs()).toBe(T0 + DAY + 500);
    expect(clock.state()).toMatchObject({ frozen: false, offsetMs: DAY - 10_000 });
  });

  it('resume on a running clock changes nothing', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    clock.advance(1234);
    clock.resume();
    expect(clock.nowMs()).toBe(T0 + 1234);
  });

  it('reset returns to real time from frozen or offset states', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    clock.freeze(new Date('2040-01-01T00:00:00Z'));
    clock.advance(DAY);
    clock.reset();
    expect(clock.nowMs()).toBe(T0);
    real.tick(100);
    expect(clock.nowMs()).toBe(T0 + 100);
    expect(clock.state()).toMatchObject({ frozen: false, offsetMs: 0 });
  });

  it('set is idempotent, frozen or running', () => {
    const real = fakeReal();
    const clock = new VirtualClock(real.now);
    const at = new Date('2028-02-29T10:00:00Z');
    clock.set(at, true);
    clock.set(at, true);
    real.tick(1000);
    expect(clock.now().toISOString()).toBe(at.toISOString());
    clock.set(at, false);
    clock.set(at, false);
    expect(clock.nowMs()).toBe(at.getTime());
    real.tick(1000);
    expect(clock.nowMs()).toBe(at.getTime() + 1000);
    expectCode(() => clock.set(new Date(Number.NaN), true), 'clock-invalid');
  });
});

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * DAY],
    ['2h', 2 * 3_600_000],
    ['15m', 15 * 60_000],
    ['10s', 10_000],
    ['500ms', 500],
    ['250', 250],
    ['1.5h', 5_400_000],
    [' 7d ', 7 * DAY],
    ['-1d', -DAY],
    ['0s', 0],
  ])('%j is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it('passes numbers through as milliseconds', () => {
    expect(parseDuration(1234)).toBe(1234);
    expect(parseDuration(0)).toBe(0);
  });

  it.each(['', 'abc', '30x', 'd', '30 days', '1e3', '30D', '1h30m', '--1s'])('%j is clock-invalid', (input) => {
    expectCode(() => parseDuration(input), 'clock-invalid');
  });

  it('quotes at most 40 characters of a bad input in the message', () => {
    try {
      parseDuration('y'.repeat(500));
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('y'.repeat(41));
      expect((e as Error).message).toContain('30d');
    }
  });
});
