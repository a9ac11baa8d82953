/**
 * Runs only the EUDI wallet section of `kakehashi bench` (issue 17) against an in-process federation and prints
 * `walletPresentationVsVerifyCeiling` (SD-JWT VC presentations validated per second ÷ the raw ES256 verify rate over
 * the three verifications one presentation needs) per round and the median, with the load average around it. Not a
 * test: prints JSON.
 *
 *   node packages/federation/scripts/bench-wallet-section.ts [rounds] [windowMs]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { median } from '../src/bench-report.ts';
import { benchWallet } from '../src/bench-wallet.ts';
import { createFederation } from '../src/create-federation.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';
import { loadTrustMaterial } from '../src/trust-material.ts';

const rounds = Number(process.argv[2] ?? 3);
const windowMs = Number(process.argv[3] ?? 400);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-wallet-'));
  const loadStart = loadavg();
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    cli: { dataDir: dir },
    env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0' },
  });
  const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'error' }) });
  const out: Record<string, number>[] = [];
  try {
    const loaded = await loadTrustMaterial({
      seed: config.get('seed'),
      countries: Object.keys(f.urls.nodes),
      cacheDir: join(dir, 'trust'),
      hubUrl: f.urls.hub,
      logger: f.logger,
    });
    for (let i = 0; i < rounds; i++) {
      const r = await benchWallet(f, loaded, { windowMs });
      out.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
    }
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `${JSON.stringify({
      walletPresentationVsVerifyCeiling: median(out.map((r) => r.functionToCeilingRatio as number)),
      loadAverageStart: loadStart,
      loadAverageEnd: loadavg(),
      rounds: out,
    })}\n`,
  );
}

await main();
