import { DOMESTIC_SIGNATURE_DELIVERY_SCENARIOS } from './scenario-defs/domestic-signature-delivery.ts';
import { FEDERATION_SCENARIOS } from './scenario-defs/federation.ts';
import { INCIDENT_CROSS_BORDER_SCENARIOS } from './scenario-defs/incident-cross-border.ts';
import { ONCE_ONLY_SCENARIOS } from './scenario-defs/once-only.ts';
import { WALLET_SCENARIOS } from './scenario-defs/wallet-cross-border.ts';
import { WALLET_MDOC_SCENARIOS } from './scenario-defs/wallet-mdoc.ts';
import {
  describeScenariosOf,
  runScenarioOf,
  type ScenarioRegistry,
  type ScenarioReport,
  type ScenarioTarget,
} from './scenario-runner.ts';

/**
 * Every scenario the federation knows: `kakehashi scenario run <name>` prints each step and exits 0 only when all
 * pass; the teaching console runs them from a button (the CLI hands this registry to `createFederation`). Other
 * work items add theirs in `scenario-defs/` (a name, a description, steps using only HTTP) and list them here.
 */
export const SCENARIOS: ScenarioRegistry = {
  ...FEDERATION_SCENARIOS,
  ...DOMESTIC_SIGNATURE_DELIVERY_SCENARIOS,
  ...ONCE_ONLY_SCENARIOS,
  ...INCIDENT_CROSS_BORDER_SCENARIOS,
  ...WALLET_SCENARIOS,
  ...WALLET_MDOC_SCENARIOS,
};

export function listScenarios(): string[] {
  return Object.keys(SCENARIOS);
}

/** Every scenario's name and description, in the order `scenario list` prints them. */
export function describeScenarios(): { name: string; description: string }[] {
  return describeScenariosOf(SCENARIOS);
}

/**
 * Runs one of the federation's scenarios against a federation that is already running and returns its report
 * (see {@link runScenarioOf}).
 */
export function runScenarioAgainst(
  target: ScenarioTarget,
  name: string,
  opts: { onStep?: (step: ScenarioReport['steps'][number], index: number) => void } = {},
): Promise<ScenarioReport> {
  return runScenarioOf(SCENARIOS, target, name, opts);
}
