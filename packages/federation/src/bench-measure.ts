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
