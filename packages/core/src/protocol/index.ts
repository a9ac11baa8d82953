export { type CertificateVerdict, x5cToPem } from './certificate-verdict.ts';
export { p1363ToDer } from './ecdsa-signature.ts';
export {
  createHubClient,
  type DiscoveredEndpoint,
  DiscoveredEndpointSchema,
  type HubClient,
  type HubClientOptions,
  type RegisteredNodeEntry,
  type RegisteredNodeWithSignature,
  type RegistrationAnswer,
  type TrustIndex,
} from './hub-client.ts';
export {
  type BuildingBlock,
  BuildingBlockSchema,
  type NodeMetadata,
  NodeMetadataSchema,
  ParticipantSchema,
  RegistrationRequestSchema,
  ServiceRefSchema,
} from './node-metadata.ts';
export { TRACE_EVENTS_JWS_TYPE, traceEventsIssuer } from './trace-report.ts';
export {
  type Check,
  type CheckOutcome,
  CheckSchema,
  type Failure,
  FailureSchema,
  type Verdict,
  VerdictSchema,
  verdictOf,
} from './verdict.ts';
