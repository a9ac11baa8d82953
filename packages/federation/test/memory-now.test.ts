import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryNow } from '../src/run-cli.ts';

const g = globalThis as { gc?: () => void };
const original = g.gc;
afterEach(() => {
  if (original) g.gc = original;
  else delete g.gc;
});

describe("a start's memory line (SIGUSR2; what the bench reads after 10,000 logins)", () => {
  it('collects first when gc is exposed (--expose-gc), and says so', () => {
    const gc = vi.fn();
    g.gc = gc;
    const m = memoryNow();
    expect(gc).toHaveBeenCalledExactlyOnceWith({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    expect(m.gc).toBe(true);
    expect(m.rssMb).toBeGreaterThan(m.heapUsedMb);
    expect(m.heapTotalMb).toBeGreaterThanOrEqual(m.heapUsedMb);
    for (const v of [m.rssMb, m.heapUsedMb, m.heapTotalMb, m.externalMb, m.arrayBuffersMb])
      expect(Number.isFinite(v)).toBe(true);
  });

  it('reads without collecting when gc is not exposed', () => {
    delete g.gc;
    expect(memoryNow().gc).toBe(false);
  });
});
