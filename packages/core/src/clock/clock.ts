import { KakehashiError } from '../errors/index.ts';

/** What every expiry check reads. Never call `Date.now()` directly in component code. */
export interface Clock {
  now(): Date;
  nowMs(): number;
}

export interface ClockState {
  now: string;
  frozen: boolean;
  /** Milliseconds the virtual time is ahead of (positive) or behind real time. */
  offsetMs: number;
}

/**
 * A virtual clock: real time by default; can be frozen at an instant, advanced ("30 days later") and
 * resumed. One instance is shared by the whole federation so that certificates, tokens, trusted lists and
 * retry schedules expire together.
 */
export class VirtualClock implements Clock {
  #offsetMs = 0;
  #frozenAt: number | undefined;
  readonly #real: () => number;

  constructor(realNow: () => number = Date.now) {
    this.#real = realNow;
  }

  nowMs(): number {
    return this.#frozenAt ?? this.#real() + this.#offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Stop time at `at` (default: the current virtual time). */
  freeze(at?: Date): void {
    const ms = at === undefined ? this.nowMs() : at.getTime();
    if (!Number.isFinite(ms)) throw new KakehashiError('clock-invalid', 'freeze: the instant is not a valid date');
    this.#frozenAt = ms;
  }

  /** Move virtual time forward (or back, with a negative amount); works frozen or running. */
  advance(ms: number): void {
    if (!Number.isFinite(ms))
      throw new KakehashiError('clock-invalid', 'advance: the amount must be a finite number of milliseconds');
    if (this.#frozenAt !== undefined) this.#frozenAt += ms;
    else this.#offsetMs += ms;
  }

  /** Let time run again from the current virtual instant. */
  resume(): void {
    if (this.#frozenAt === undefined) return;
    this.#offsetMs = this.#frozenAt - this.#real();
    this.#frozenAt = undefined;
  }

  /**
   * Sets the virtual time to `at`, frozen or running from there. Idempotent, so a hub can push its clock to
   * nodes in other processes (and to nodes sharing its clock object) without double-advancing.
   */
  set(at: Date, frozen: boolean): void {
    const ms = at.getTime();
    if (!Number.isFinite(ms)) throw new KakehashiError('clock-invalid', 'set: the instant is not a valid date');
    if (frozen) {
      this.#frozenAt = ms;
    } else {
      this.#frozenAt = undefined;
      this.#offsetMs = ms - this.#real();
    }
  }

  /** Back to real time. */
  reset(): void {
    this.#frozenAt = undefined;
    this.#offsetMs = 0;
  }

  state(): ClockState {
    const now = this.nowMs();
    return { now: new Date(now).toISOString(), frozen: this.#frozenAt !== undefined, offsetMs: now - this.#real() };
  }
}

/** Parses a duration such as `30d`, `2h`, `15m`, `10s`, `500ms` or a number of milliseconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') return input;
  const m = /^(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(input.trim());
  if (!m)
    throw new KakehashiError(
      'clock-invalid',
      `"${input.slice(0, 40)}" is not a duration: use e.g. 30d, 2h, 15m, 10s, 500ms`,
    );
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return n * unit;
}
