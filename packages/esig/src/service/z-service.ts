import { z } from '@hono/zod-openapi';

const Name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
/** Largest document or signature accepted in a JSON request (characters). The body limit applies first. */
export const MAX_FIELD_CHARS = 12 * 1024 * 1024;

export const ContentSchema = z
  .object({
    content: z.string().max(MAX_FIELD_CHARS),
    encoding: z.enum(['utf8', 'base64']).default('utf8').openapi({ description: 'How `content` is encoded' }),
    mimeType: z
      .string()
      .max(100)
      .regex(/^[\w.+-]+\/[\w.+-]+$/)
      .optional(),
    name: z
      .string()
      .max(200)
      .regex(/^[^\s"<>#][^\s"<>]*$/)
      .optional()
      .openapi({ description: 'Detached content: the name the signature references (default `document`)' }),
  })
  .strict()
  .openapi('SignatureContent');

export const SignRequestSchema = z
  .object({
    signer: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('agency'), id: Name.openapi({ example: 'bmi' }) }).strict(),
        z.object({ type: z.literal('citizen'), personaId: Name.openapi({ example: 'jp-001' }) }).strict(),
      ])
      .openapi({
        description:
          "An agency of this node, or (Japan) a citizen persona signing with the My Number Card's JPKI signature certificate",
      }),
    format: z.enum(['xades', 'jades', 'cades']),
    level: z.enum(['B-B', 'B-T']).default('B-B'),
    packaging: z.enum(['enveloped', 'enveloping', 'detached']).optional().openapi({
      description: 'Default: XAdES enveloped for XML, else enveloping; JAdES and CAdES enveloping (attached)',
    }),
    document: ContentSchema,
  })
  .strict()
  .openapi('SignRequest');

export const SignResponseSchema = z
  .object({
    testOnly: z.literal(true),
    format: z.enum(['XAdES', 'JAdES', 'CAdES']),
    level: z.enum(['B-B', 'B-T']),
    packaging: z.enum(['enveloped', 'enveloping', 'detached']),
    signature: z.string(),
    signatureEncoding: z.enum(['xml', 'jws-compact', 'jws-json', 'base64-der']),
    mediaType: z.string(),
    signingTime: z.string(),
    timestamp: z.object({ genTime: z.string(), tsa: z.string() }).optional(),
    signer: z.object({ type: z.enum(['agency', 'citizen']), id: z.string(), subject: z.string(), country: z.string() }),
  })
  .openapi('SignResponse');

export const ValidateRequestSchema = z
  .object({
    signature: z
      .string()
      .min(1)
      .max(MAX_FIELD_CHARS)
      .openapi({ description: 'XML text, a JWS (compact or JSON), or CMS as base64/PEM' }),
    signatureEncoding: z.enum(['text', 'base64']).optional().openapi({
      description: '`base64`: the signature bytes are base64 (e.g. a base64 XAdES document); default: as sent',
    }),
    detachedContent: ContentSchema.optional(),
  })
  .strict()
  .openapi('ValidateSignatureRequest');

export const SignersSchema = z
  .object({
    country: z.string().optional(),
    agencies: z.array(z.object({ id: z.string(), subject: z.string() })),
    citizens: z.boolean().openapi({ description: 'Whether citizens can sign here (JPKI signature certificate)' }),
    formats: z.array(z.string()),
    levels: z.array(z.string()),
    timestampAuthority: z.string().optional(),
  })
  .openapi('Signers');

export type SignRequest = z.infer<typeof SignRequestSchema>;
