/**
 * @kakehashi/node — a national node built from a country profile: registration with the hub, its own
 * verified view of the trust fabric, personas, agencies, services, peer discovery, and the building blocks.
 */
export { createNationalNode } from './create-node.ts';
export { createCardIssuer } from './jpki/card-issuer.ts';
export { signMetadata } from './metadata/sign-metadata.ts';
export type { NationalNode, NodeCredential, NodeCredentials } from './node-deps.ts';
export { COUNTRY_PROFILES, getProfile } from './profiles/get-profile.ts';
export { signTraceEvents } from './traces/sign-trace-events.ts';
export { createNodeTrust } from './trust/create-node-trust.ts';
