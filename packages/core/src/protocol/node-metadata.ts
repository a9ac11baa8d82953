import { z } from '@hono/zod-openapi';

/** The building blocks a node can offer. */
export const BuildingBlockSchema = z.enum(['eid', 'esig', 'edelivery', 'jp-network']).openapi('BuildingBlock');

export const ServiceRefSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    block: BuildingBlockSchema,
    endpoint: z.string().url(),
    description: z.string().max(500).optional(),
  })
  .openapi('ServiceRef');

export const ParticipantSchema = z
  .object({
    /** Participant identifier, e.g. `urn:kakehashi:participant:de:bzst`. */
    id: z.string().min(3).max(200),
    name: z.string().min(1).max(200),
    /** Document/service types the participant receives, e.g. `urn:kakehashi:service:evidence`. */
    services: z.array(z.string().min(1).max(200)).max(50),
  })
  .openapi('Participant');

/**
 * What a national node publishes about itself and signs for the hub's registry: the claims of a JWS
 * (RS256, `x5c` = its signing certificate and issuing CA). The hub checks the signature with the key of a
 * certificate it validates against the trust fabric, never with a key the message brings unverified.
 */
export const NodeMetadataSchema = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/),
    name: z.string().min(1).max(200),
    /** The node's origin: its OIDC issuer and base of every endpoint. */
    url: z.string().url(),
    /** Seconds since the epoch at signing (virtual clock). */
    iat: z.number().int().positive(),
    endpoints: z.object({
      health: z.string().url(),
      openapi: z.string().url(),
      docs: z.string().url(),
      personas: z.string().url(),
      oidcIssuer: z.string().url().optional(),
      samlIdpMetadata: z.string().url().optional(),
      samlSpMetadata: z.string().url().optional(),
      as4: z.string().url().optional(),
    }),
    capabilities: z.array(BuildingBlockSchema).max(10),
    services: z.array(ServiceRefSchema).max(100),
    participants: z.array(ParticipantSchema).max(200),
    /** PEM certificates of the node's signing, TLS and encryption keys. */
    certificates: z.object({ signing: z.string(), tls: z.string(), encryption: z.string() }),
  })
  .openapi('NodeMetadata');

export type NodeMetadata = z.infer<typeof NodeMetadataSchema>;
export type BuildingBlock = z.infer<typeof BuildingBlockSchema>;

/** The body of `POST /registry/nodes`. */
export const RegistrationRequestSchema = z
  .object({
    signedMetadata: z
      .string()
      .min(10)
      .max(200_000)
      .openapi({ description: 'Compact JWS (RS256) whose payload is NodeMetadata' }),
  })
  .openapi('RegistrationRequest');
