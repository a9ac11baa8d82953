export { type CertificateVerdict, x5cToPem } from './certificate-verdict.ts';
export {
  type BuildingBlock,
  BuildingBlockSchema,
  type NodeMetadata,
  NodeMetadataSchema,
  ParticipantSchema,
  RegistrationRequestSchema,
  ServiceRefSchema,
} from './node-metadata.ts';
