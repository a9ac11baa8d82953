/**
 * @kakehashi/node — a national node built from a country profile: registration with the hub, its own
 * verified view of the trust fabric, personas, agencies, services, peer discovery.
 */
export {
  createNationalNode,
  type NationalNode,
  type NodeCredential,
  type NodeCredentials,
  type NodeDeps,
} from './create-node.ts';
export { type CardIssuer, createCardIssuer, jpkiPersonOf, type MyNumberCard } from './jpki/card-issuer.ts';
export { signMetadata } from './metadata/sign-metadata.ts';
export * from './profiles/index.ts';
export type { NodeCertificateVerdict, NodeTrust, NodeTrustStatus } from './trust/node-trust.ts';
