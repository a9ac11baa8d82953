/**
 * @kakehashi/federation — the composition root and the `kakehashi` CLI: builds the trust fabric, the hub
 * and the national nodes with explicit dependencies, and runs them in one process, one process per
 * component, or in-process for tests.
 */
export {
  createFederation,
  type Federation,
  type FederationConfig,
  type FederationInit,
  federationCountries,
} from './create-federation.ts';
export { createInProcessFetch, type FetchHandler } from './in-process-fetch.ts';
export { FEDERATION_OPTIONS, type FederationOptions } from './options.ts';
export {
  describeScenarios,
  listScenarios,
  runScenarioAgainst,
  SCENARIOS,
  type Scenario,
  type ScenarioReport,
  type ScenarioStep,
  type ScenarioTarget,
} from './scenarios.ts';
export { listen, type RunningServer } from './serve.ts';
export { createHubTrust, createNodeTrust, type LoadedMaterial, loadTrustMaterial } from './trust-adapters.ts';
