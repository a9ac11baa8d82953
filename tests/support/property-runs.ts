/**
 * How many cases a property test (fast-check) draws: one setting for the whole suite. Each test names its full
 * count; by default it draws a tenth of it (at least `min`, never more than the full count), which keeps every
 * property running — and able to fail — on every `./kakehashi test` and in CI at a fraction of the CPU.
 * `KAKEHASHI_PROPERTY_RUNS=full` draws the full counts (a thorough local run); a number N draws N-fold the
 * default share, capped at the full count (`KAKEHASHI_PROPERTY_RUNS=10` is the same as `full`).
 */
export function propertyRuns(full: number, min = 100): number {
  const setting = process.env.KAKEHASHI_PROPERTY_RUNS?.trim() ?? '';
  if (setting === 'full') return full;
  const factor = setting === '' ? 1 : Number(setting);
  if (!Number.isFinite(factor) || factor <= 0)
    throw new Error(`KAKEHASHI_PROPERTY_RUNS must be "full" or a positive number, not "${setting}"`);
  return Math.min(full, Math.max(min, Math.ceil((full / 10) * factor)));
}
