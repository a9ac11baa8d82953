/**
 * Runs only the eSignature section of `kakehashi bench` (issue 15) and prints `xadesValidationVsCryptoCeiling`
 * (XAdES B-B full validations/s ÷ the RSA verifications one validation needs) per round and the median, with the
 * other formats' ratios beside it. Not a test: prints JSON.
 *
 *   node packages/federation/scripts/bench-esig-section.ts [rounds] [windowMs]
 *   KAKEHASHI_BENCH_PROFILE=/tmp/esig.cpuprofile node packages/federation/scripts/bench-esig-section.ts 1 1000
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEsig } from '../src/bench-esig.ts';
import { median } from '../src/bench-report.ts';

const rounds = Number(process.argv[2] ?? 3);
const windowMs = Number(process.argv[3] ?? 250);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-esig-'));
  const loadStart = loadavg();
  const out: Record<string, number>[] = [];
  try {
    const profile = process.env.KAKEHASHI_BENCH_PROFILE;
    const session = profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    for (let i = 0; i < rounds; i++) {
      const r = await benchEsig({ windowMs, cacheDir: join(dir, 'esig-trust'), xadesjs: false });
      const { note: _note, ...ratios } = r.validationVsCryptoCeiling as Record<string, number>;
      out.push(ratios);
      process.stderr.write(`${JSON.stringify(ratios)}\n`);
    }
    if (session && profile) {
      const { profile: p } = await session.post('Profiler.stop');
      writeFileSync(profile, JSON.stringify(p));
      session.disconnect();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const medians = Object.fromEntries(
    Object.keys(out[0] ?? {}).map((k) => [k, Math.round(median(out.map((r) => r[k] as number)) * 1000) / 1000]),
  );
  process.stdout.write(
    `${JSON.stringify({ xadesValidationVsCryptoCeiling: medians['xades-B-B'], medians, loadAverageStart: loadStart, loadAverageEnd: loadavg() })}\n`,
  );
}

await main();
