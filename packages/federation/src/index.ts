/**
 * @kakehashi/federation — the composition root and the `kakehashi` CLI: builds the trust fabric, the hub
 * and the national nodes with explicit dependencies, and runs them in one process, one process per
 * component, or in-process for tests.
 */
export {
  type AttackCase,
  type AttackReport,
  type AttackRunOptions,
  attackCases,
  type CaseResult,
  exitCodeOf,
  renderHtml,
  renderJunit,
  runAttack,
  TARGET_KINDS,
  type TargetKind,
  writeReports,
} from './attack/index.ts';
export { type BenchReport, parseBenchReport, RATIO_KEYS, renderBenchTable } from './bench-report.ts';
export { createFederation, type Federation } from './create-federation.ts';
export { type FuzzOptions, type FuzzReport, runFuzz } from './fuzz/run-fuzz.ts';
export { FEDERATION_OPTIONS } from './options.ts';
export { runCli } from './run-cli.ts';
export type { ScenarioReport } from './scenario-runner.ts';
export {
  type FederationSnapshot,
  type ReversibleScenarioReport,
  restoreFederation,
  runScenarioReversibly,
  type ScenarioUndo,
  snapshotFederation,
} from './scenario-undo.ts';
export { runScenarioAgainst, SCENARIOS } from './scenarios.ts';
export { loadTrustMaterial } from './trust-material.ts';
