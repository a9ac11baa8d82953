/**
 * @kakehashi/federation — the composition root and the `kakehashi` CLI: builds the trust fabric, the hub
 * and the national nodes with explicit dependencies, and runs them in one process, one process per
 * component, or in-process for tests.
 */
export { createFederation, type Federation } from './create-federation.ts';
export { FEDERATION_OPTIONS } from './options.ts';
export { runCli } from './run-cli.ts';
export type { ScenarioReport } from './scenario-runner.ts';
export { runScenarioAgainst, SCENARIOS } from './scenarios.ts';
export { loadTrustMaterial } from './trust-material.ts';
