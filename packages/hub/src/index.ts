/**
 * @kakehashi/hub — the Core Service Platform: node registry (signed metadata validated against the trust
 * fabric), discovery (SML/SMP role), federation health, trust publication, audit chain and traces.
 */
export { createHub, type Hub, type HubDeps } from './create-hub.ts';
export { HUB_OPTIONS, type HubOptions } from './options.ts';
export { type RegisteredNode, RegistryStore } from './registry/registry-store.ts';
export {
  type RegistrationCheck,
  type VerifiedRegistration,
  verifyRegistration,
} from './registry/verify-registration.ts';
export { TraceStore } from './traces/trace-store.ts';
export type { CertificateVerdict, HubTrust, RevocationRequest } from './trust/hub-trust.ts';
