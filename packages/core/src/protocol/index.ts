export {
  type BuildingBlock,
  BuildingBlockSchema,
  type NodeMetadata,
  NodeMetadataSchema,
  ParticipantSchema,
  RegistrationRequestSchema,
  ServiceRefSchema,
} from './node-metadata.ts';
