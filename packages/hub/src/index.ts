/**
 * @kakehashi/hub — the Core Service Platform: node registry (signed metadata validated against the trust
 * fabric), discovery (SML/SMP role), federation health, trust publication, audit chain and traces.
 * Exports only what other packages use; the hub's own tests import its feature files directly.
 */
export { createHub, type Hub, type HubDeps } from './create-hub.ts';
export { HUB_FAULTS } from './faults/hub-faults.ts';
export { HUB_OPTIONS, type HubOptions } from './options.ts';
export { createHubTrust, type HubTrustDeps } from './trust/create-hub-trust.ts';
export type { CertificateVerdict, HubTrust, RevocationRequest } from './trust/hub-trust.ts';
