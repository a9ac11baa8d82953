import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation } from './create-federation.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import type { ScenarioReport, ScenarioTarget } from './scenario-runner.ts';
import { runScenarioReversibly, type ScenarioUndo } from './scenario-undo.ts';
import { listScenarios, SCENARIOS } from './scenarios.ts';

/**
 * `kakehashi scenario run <name>`: with `--hub URL`, against the federation running there (its nodes from the
 * hub's registry); otherwise in a federation of its own, started in process on a temporary data directory and
 * discarded afterwards. Either way the run is undone (clock, revocations, faults: `runScenarioReversibly`), so
 * running it again gives the same outcome. Prints each step and what the undo did; exits 0 only when every step
 * passed and the federation is back where it was.
 */
export async function runScenario(name: string, base: LayeredConfig<typeof FEDERATION_OPTIONS>): Promise<number> {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    process.stderr.write(`unknown scenario "${name}"; known: ${listScenarios().join(', ')}\n`);
    return 2;
  }
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const hubUrl = base.get('hubUrl');
  const onStep = (s: ScenarioReport['steps'][number], i: number) =>
    out(`  ${i + 1}. ${s.ok ? '✔' : '✘'} ${s.title}\n       ${s.detail}`);
  let report: ScenarioReport & { undo: ScenarioUndo };
  if (hubUrl) {
    const target = await runningFederation(hubUrl);
    out(
      `Scenario ${name}: ${scenario.description}  (TEST ONLY, against ${target.urls.hub}: ${Object.keys(target.urls.nodes).join(', ')})`,
    );
    report = await runScenarioReversibly(SCENARIOS, target, name, {
      onStep,
      adminToken: base.get('adminToken'),
    });
  } else {
    const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-scenario-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: process.env,
      cli: { seed: base.get('seed'), dataDir: base.get('dataDir') === '.kakehashi' ? tmp : base.get('dataDir') },
    });
    out(`Scenario ${name}: ${scenario.description}  (TEST ONLY, seed ${config.get('seed')})`);
    const f = await createFederation({
      config,
      mode: 'in-process',
      logger: createLogger({ level: 'warn' }),
      scenarios: SCENARIOS,
    });
    try {
      report = await runScenarioReversibly(SCENARIOS, f, name, { onStep, adminToken: config.get('adminToken') });
    } finally {
      await f.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const failed = report.steps.filter((s) => !s.ok).length;
  out(failed === 0 ? `PASSED: ${report.steps.length} steps` : `FAILED: ${failed} of ${report.steps.length} steps`);
  for (const a of report.undo.actions) out(`  undone: ${a}`);
  for (const p of report.undo.problems) out(`  NOT undone: ${p}`);
  out(
    report.undo.restored ? 'Federation restored as it was before the run.' : 'The federation was NOT fully restored.',
  );
  return failed === 0 && report.undo.restored ? 0 : 1;
}

/** The hub at `hubUrl` and the nodes its registry lists, reached with the global fetch. */
async function runningFederation(hubUrl: string): Promise<ScenarioTarget> {
  const hub = new URL(hubUrl).origin;
  const res = await fetch(`${hub}/registry/nodes`);
  if (!res.ok) throw new Error(`GET ${hub}/registry/nodes answered ${res.status}: is a Kakehashi hub running there?`);
  const { nodes } = (await res.json()) as { nodes: { country: string; metadata: { url: string } }[] };
  if (nodes.length === 0) throw new Error(`the hub at ${hub} has no registered node: start the nodes first`);
  return {
    urls: { hub, nodes: Object.fromEntries(nodes.map((n) => [n.country, n.metadata.url])) },
    fetch: (input, init) => fetch(input, init),
  };
}
