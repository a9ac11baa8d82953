import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation } from './create-federation.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import type { ScenarioReport } from './scenario-runner.ts';
import { listScenarios, runScenarioAgainst, SCENARIOS } from './scenarios.ts';

/** `kakehashi scenario run <name>`: starts an in-process federation, runs the scenario, prints the report. */
export async function runScenario(name: string, base: LayeredConfig<typeof FEDERATION_OPTIONS>): Promise<number> {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    process.stderr.write(`unknown scenario "${name}"; known: ${listScenarios().join(', ')}\n`);
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-scenario-'));
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    env: process.env,
    cli: { seed: base.get('seed'), dataDir: base.get('dataDir') === '.kakehashi' ? tmp : base.get('dataDir') },
  });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`Scenario ${name}: ${scenario.description}  (TEST ONLY, seed ${config.get('seed')})`);
  const f = await createFederation({
    config,
    mode: 'in-process',
    logger: createLogger({ level: 'warn' }),
    scenarios: SCENARIOS,
  });
  let report: ScenarioReport;
  try {
    report = await runScenarioAgainst(f, name, {
      onStep: (s, i) => out(`  ${i + 1}. ${s.ok ? '✔' : '✘'} ${s.title}\n       ${s.detail}`),
    });
  } finally {
    await f.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const failed = report.steps.filter((s) => !s.ok).length;
  out(failed === 0 ? `PASSED: ${report.steps.length} steps` : `FAILED: ${failed} of ${report.steps.length} steps`);
  return failed === 0 ? 0 : 1;
}
