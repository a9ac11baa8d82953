/**
 * Runs only the AS4 section of `kakehashi bench` (issue 15) — two nodes of one in-process federation — and prints
 * its ratio (messages/s to ACKNOWLEDGED ÷ the RSA ceiling of one message) per round and the median. For
 * before/after figures and CPU profiles of the AS4 block without the whole bench. Not a test: prints JSON.
 *
 *   node packages/federation/scripts/bench-as4-section.ts [rounds] [windowMs] [concurrency]
 *   KAKEHASHI_BENCH_PROFILE=/tmp/as4.cpuprofile node packages/federation/scripts/bench-as4-section.ts 1 3000
 *
 * With KAKEHASHI_BENCH_PROFILE set, a CPU profile of each round's messages (not the federation's start, not the
 * ceiling) is written there (`.0`, `.1`… appended when there are several rounds).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { as4CryptoCeiling, benchAs4 } from '../src/bench-as4.ts';
import { median } from '../src/bench-report.ts';
import { createFederation } from '../src/create-federation.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';

const rounds = Number(process.argv[2] ?? 3);
const windowMs = Number(process.argv[3] ?? 800);
const concurrency = Number(process.argv[4] ?? 8);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-as4-'));
  const loadStart = loadavg();
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    cli: { dataDir: dir },
    env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0' },
  });
  const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'error' }) });
  const out: Record<string, number>[] = [];
  try {
    const profile = process.env.KAKEHASHI_BENCH_PROFILE;
    const session = profile ? new Session() : undefined;
    session?.connect();
    for (let i = 0; i < rounds; i++) {
      const ceiling = await as4CryptoCeiling(windowMs / 4);
      // The profile covers the messages of the rounds only, not the ceiling's own RSA loop.
      if (session) {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const m = await benchAs4(f, { windowMs, concurrency });
      if (session && profile) {
        const { profile: p } = await session.post('Profiler.stop');
        writeFileSync(rounds > 1 ? `${profile}.${i}` : profile, JSON.stringify(p));
      }
      const row = {
        as4VsCryptoCeiling: m.messagesPerSecond / ceiling.ceiling,
        messagesPerSecond: m.messagesPerSecond,
        ceilingPerSecond: ceiling.ceiling,
        p50Ms: m.p50Ms,
        p99Ms: m.p99Ms,
        polled: m.polled,
        cpuPerWallSecond: m.cpuPerWallSecond,
        // CPU of this process (hub, both nodes, the bench's client) per message: steadier than throughput when
        // other processes share the cores.
        cpuMsPerMessage: (m.cpuPerWallSecond * 1000) / m.messagesPerSecond,
        // The same per-message CPU against the RSA private operations' share of it.
        rsaShareOfCpu: 1000 / ceiling.ceiling / ((m.cpuPerWallSecond * 1000) / m.messagesPerSecond),
      };
      out.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
    session?.disconnect();
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const medians = Object.fromEntries(
    Object.keys(out[0] ?? {}).map((k) => [k, Math.round(median(out.map((r) => r[k] as number)) * 1000) / 1000]),
  );
  process.stdout.write(`${JSON.stringify({ medians, loadAverageStart: loadStart, loadAverageEnd: loadavg() })}\n`);
}

await main();
