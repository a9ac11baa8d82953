/**
 * Runs only the start-up part of `kakehashi bench` (issue 15): cold and warm starts of the hub with 2, 4 and 7
 * countries (each `kakehashi start` in its own process, spawn → ready, RSS once ready) and, with `--memory`, the
 * memory after 10,000 logins after a forced GC — for before/after figures without the whole bench. Not a test:
 * prints JSON (the same figures as `sections.start` and `sections.memory` of bench-results/federation.json).
 *
 *   node packages/federation/scripts/bench-start-section.ts [runs] [--memory] [--sizes 7]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchMemoryAfterLogins } from '../src/bench-memory.ts';
import { benchStart } from '../src/bench-start.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { memory: { type: 'boolean', default: false }, sizes: { type: 'string', default: '2,4,7' } },
});
const runs = Number(positionals[0] ?? 3);
const out: Record<string, unknown> = { runs, loadAverageStart: loadavg() };
const start: Record<string, unknown> = {};
for (const [i, n] of values.sizes.split(',').map(Number).entries())
  start[`countries${n}`] = await benchStart(n, runs, 17_100 + i * 60);
out.start = start;
if (values.memory) {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-memory-trust-'));
  try {
    out.memory = await benchMemoryAfterLogins({ count: 10_000, concurrency: 8, port: 17_400, trustCacheDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
out.loadAverageEnd = loadavg();
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
