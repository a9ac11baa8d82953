import { describe, expect, it } from 'vitest';
import { interleavedRates } from '../src/bench-measure.ts';

describe('bench: rates measured in alternating slices', () => {
  it('gives every side its turn in each slice, warms each up first, and stops a side whose pool is used up', async () => {
    const calls: string[] = [];
    const tick = () => new Promise<void>((r) => setTimeout(r, 1));
    let pool = 40;
    const r = await interleavedRates(
      200,
      {
        a: { fn: () => tick().then(() => calls.push('a')), warmUp: 2 },
        b: {
          fn: () => {
            pool--;
            return tick().then(() => calls.push('b'));
          },
          concurrency: 2,
          warmUp: 3,
          exhausted: () => pool <= 0,
        },
      },
      4,
    );
    // Warm-up first: 2 of a, then 3 of b, one at a time.
    expect(calls.slice(0, 5)).toEqual(['a', 'a', 'b', 'b', 'b']);
    // Then alternating runs: a's slice, b's slice, a's… (b leaves once its pool is used up, a goes on).
    const runs: string[] = [];
    for (const c of calls.slice(5)) if (runs.at(-1) !== c) runs.push(c);
    expect(runs.slice(0, 3)).toEqual(['a', 'b', 'a']);
    // b never runs past its pool (37 after its warm-up; in ~50 ms at 2 in flight it is used up on any machine but
    // one that cannot fire 1 ms timers in 10): a has the last slice to itself.
    expect(calls.filter((c) => c === 'b').length).toBeLessThanOrEqual(40);
    if (pool === 0) expect(runs.at(-1)).toBe('a');
    expect(r.a).toBeGreaterThan(0);
    expect(r.b).toBeGreaterThan(0);
  });
});
