/**
 * Runs only the eID section of `kakehashi bench` (issue 15) against an in-process federation and prints its
 * ratios per round and their medians — for before/after figures and CPU profiles of the eID block without the
 * whole bench. Not a test: prints JSON.
 *
 *   node packages/federation/scripts/bench-eid-section.ts [rounds] [windowMs]
 *   KAKEHASHI_BENCH_PROFILE=/tmp/eid.cpuprofile node packages/federation/scripts/bench-eid-section.ts 1 2000
 *
 * With KAKEHASHI_BENCH_PROFILE set, a CPU profile of the rounds only (not the federation's start) is written there.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { benchEid } from '../src/bench-eid.ts';
import { median } from '../src/bench-report.ts';
import { createFederation } from '../src/create-federation.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';
import { loadTrustMaterial } from '../src/trust-material.ts';

const rounds = Number(process.argv[2] ?? 3);
const windowMs = Number(process.argv[3] ?? 400);
const get = (o: unknown, ...path: string[]): number =>
  path.reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o) as number;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-eid-'));
  const loadStart = loadavg();
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    cli: { dataDir: dir },
    env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0' },
  });
  const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'error' }) });
  const out: Record<string, unknown>[] = [];
  try {
    const loaded = await loadTrustMaterial({
      seed: config.get('seed'),
      countries: Object.keys(f.urls.nodes),
      cacheDir: join(dir, 'trust'),
      hubUrl: f.urls.hub,
      logger: f.logger,
    });
    const profile = process.env.KAKEHASHI_BENCH_PROFILE;
    const session = profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    for (let i = 0; i < rounds; i++) {
      const r = await benchEid(f, loaded, { windowMs, poolSize: 300, logins: 10 });
      const row = {
        idTokenServiceVsFunction:
          get(r, 'idTokenValidationRS256', 'serviceHttpInProcessPerSecond') /
          get(r, 'idTokenValidationRS256', 'functionPerSecond'),
        idTokenFunctionVsVerifyRS256: get(r, 'idTokenValidationRS256', 'functionToRawVerifyRatio'),
        idTokenFunctionVsVerifyES256: get(r, 'idTokenValidationES256', 'functionToRawVerifyRatio'),
        samlServiceVsFunction:
          get(r, 'samlResponseValidation', 'serviceHttpInProcessPerSecond') /
          get(r, 'samlResponseValidation', 'functionPerSecond'),
        figures: r,
      };
      out.push(row);
      process.stderr.write(`${JSON.stringify({ ...row, figures: undefined })}\n`);
    }
    if (session && profile) {
      const { profile: p } = await session.post('Profiler.stop');
      writeFileSync(profile, JSON.stringify(p));
      session.disconnect();
    }
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const keys = [
    'idTokenServiceVsFunction',
    'idTokenFunctionVsVerifyRS256',
    'idTokenFunctionVsVerifyES256',
    'samlServiceVsFunction',
  ];
  const medians = Object.fromEntries(
    keys.map((k) => [k, Math.round(median(out.map((r) => r[k] as number)) * 1000) / 1000]),
  );
  process.stdout.write(
    `${JSON.stringify({ medians, loadAverageStart: loadStart, loadAverageEnd: loadavg(), rounds: out.map((r) => r.figures) })}\n`,
  );
}

await main();
