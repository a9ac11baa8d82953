/** Measuring helpers shared by the sections of `kakehashi bench` (no assertions: figures only). */

/** Runs `fn` repeatedly for about `ms` milliseconds (after 20 warm-up calls); returns operations per second. */
export async function rate(ms: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** The `p` quantile (0–1) of a list of latencies, rounded to 0.01 ms; 0 for an empty list. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
}

/** Keeps `concurrency` calls in flight for about `ms`; returns throughput and latency percentiles. */
export async function load(
  ms: number,
  concurrency: number,
  fn: () => Promise<unknown>,
): Promise<{ perSecond: number; p50Ms: number; p99Ms: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - t0 < ms) {
        const s = performance.now();
        await fn();
        latencies.push(performance.now() - s);
      }
    }),
  );
  return {
    perSecond: Math.round(latencies.length / ((performance.now() - t0) / 1000)),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** One side of an interleaved measurement (see {@link interleavedRates}). */
export interface RateSide {
  /** One operation. */
  fn: () => unknown | Promise<unknown>;
  /** Calls kept in flight (default 1: one after another). */
  concurrency?: number;
  /** Untimed calls first, one at a time (default 20). */
  warmUp?: number;
  /** True once the side can give no more (a pool of single-use inputs used up): its later slices are skipped. */
  exhausted?: () => boolean;
}

/**
 * Operations per second of several sides measured in alternating slices — `slices` rounds, each giving every side
 * about `ms / slices` in turn — after a warm-up of each. On a shared machine a load that comes and goes then falls
 * on every side of a ratio alike, where one window after another would put a busy spell on one side only. A side
 * that is exhausted is measured over the time it ran.
 */
export async function interleavedRates<K extends string>(
  ms: number,
  sides: Record<K, RateSide>,
  slices = 8,
): Promise<Record<K, number>> {
  const keys = Object.keys(sides) as K[];
  for (const k of keys) for (let i = 0; i < (sides[k].warmUp ?? 20); i++) await sides[k].fn();
  const done = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const spent = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const sliceMs = ms / slices;
  for (let s = 0; s < slices; s++)
    for (const k of keys) {
      const side = sides[k];
      if (side.exhausted?.()) continue;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: side.concurrency ?? 1 }, async () => {
          while (performance.now() - t0 < sliceMs && !side.exhausted?.()) {
            await side.fn();
            done[k]++;
          }
        }),
      );
      spent[k] += performance.now() - t0;
    }
  return Object.fromEntries(keys.map((k) => [k, spent[k] > 0 ? done[k] / (spent[k] / 1000) : 0])) as Record<K, number>;
}
