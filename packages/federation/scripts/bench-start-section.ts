/**
 * Runs only the start-up part of `kakehashi bench` (issue 15): cold and warm starts of the hub with 2, 4 and 7
 * countries (each `kakehashi start` in its own process, spawn → ready, RSS once ready) and, with `--memory`, the
 * memory after 10,000 logins after a forced GC, with `--mockpass` MockPass's start to its first discovery answer
 * (`runs` times, in the same run) and the ratio warmStartVsMockPass — for before/after figures without the whole
 * bench. Not a test: prints JSON (the same figures as `sections.start`, `sections.memory` and the ratio of
 * bench-results/federation.json).
 *
 *   node packages/federation/scripts/bench-start-section.ts [runs] [--memory] [--mockpass] [--sizes 7]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchMemoryAfterLogins } from '../src/bench-memory.ts';
import { installPeers, startPeer } from '../src/bench-peers.ts';
import { median } from '../src/bench-report.ts';
import { benchStart, type StartFigures } from '../src/bench-start.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    memory: { type: 'boolean', default: false },
    mockpass: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '2,4,7' },
  },
});
const runs = Number(positionals[0] ?? 3);
const out: Record<string, unknown> = { runs, loadAverageStart: loadavg() };
const start: Record<string, StartFigures> = {};
for (const [i, n] of values.sizes.split(',').map(Number).entries())
  start[`countries${n}`] = await benchStart(n, runs, 17_100 + i * 60);
out.start = start;
if (values.mockpass) {
  const peerDir = resolve(process.env.KAKEHASHI_ROOT ?? process.cwd(), '.kakehashi', 'bench-peers');
  const error = await installPeers(peerDir);
  if (error) throw new Error(error);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = await startPeer(peerDir, '@opengovsg/mockpass');
    ms.push(Math.round(p.startToDiscoveryMs));
    await p.stop();
  }
  const warm7 = start.countries7?.warmMs;
  out.mockPass = { startToDiscoveryMs: median(ms), runsMs: ms };
  if (warm7) out.warmStartVsMockPass = Math.round((warm7 / median(ms)) * 1000) / 1000;
}
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
