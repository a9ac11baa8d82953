import { z } from '@hono/zod-openapi';
import { MAIN_INDICATIONS, SUB_INDICATIONS } from './indications.ts';

export const FindingSchema = z
  .object({
    check: z.string(),
    outcome: z.enum(['passed', 'failed', 'warning', 'skipped']),
    reason: z.string(),
    rule: z.string().optional(),
  })
  .openapi('SignatureCheck');

export const BLOCK_IDS = ['FC', 'ISC', 'CV', 'XCV', 'SAV', 'TST'] as const;

export const BuildingBlockSchema = z
  .object({
    id: z.enum(BLOCK_IDS),
    name: z.string(),
    clause: z.string(),
    indication: z.enum(['PASSED', 'FAILED', 'INDETERMINATE', 'NOT_EVALUATED']),
    subIndication: z.enum(SUB_INDICATIONS).optional(),
    explanation: z.string(),
    checks: z.array(FindingSchema),
  })
  .openapi('ValidationBuildingBlock');

export const CertificateSummarySchema = z.object({
  subject: z.string(),
  label: z.string(),
  serialHex: z.string(),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  country: z.string().optional(),
  /** JPKI signature certificate facts (name, sex, date of birth, address) when present. */
  jpki: z.record(z.string(), z.string()).optional(),
});

export const TimestampSummarySchema = z.object({
  type: z.literal('signature-time-stamp'),
  indication: z.enum(['PASSED', 'FAILED', 'INDETERMINATE']),
  genTime: z.string().optional(),
  tsa: z.string().optional(),
  policy: z.string().optional(),
  explanation: z.string(),
});

export const ValidationReportSchema = z
  .object({
    testOnly: z.literal(true),
    validationTime: z.string().openapi({ description: 'The virtual clock at validation' }),
    validator: z.object({ component: z.enum(['hub', 'node', 'library']), country: z.string().optional() }),
    format: z.enum(['XAdES', 'JAdES', 'CAdES', 'unknown']),
    level: z
      .enum(['B-B', 'B-T'])
      .optional()
      .openapi({ description: 'The level attained: B-T only when a signature time-stamp validates' }),
    levelExplanation: z
      .string()
      .optional()
      .openapi({ description: 'Why the level attained is lower than the form of the signature claims' }),
    packaging: z.enum(['enveloped', 'enveloping', 'detached']).optional(),
    indication: z.enum(MAIN_INDICATIONS),
    subIndication: z.string().optional().openapi({ example: 'urn:etsi:019102:subindication:HASH_FAILURE' }),
    subIndicationName: z.enum(SUB_INDICATIONS).optional(),
    explanation: z.string().openapi({ description: 'The conclusion in plain language' }),
    signer: CertificateSummarySchema.optional(),
    signingTime: z.object({
      claimed: z.string().optional(),
      proven: z.string().optional().openapi({ description: 'genTime of a valid signature time-stamp' }),
    }),
    signedData: z.array(
      z.object({
        reference: z.string(),
        digestAlgorithm: z.string().optional(),
        digest: z.string().optional(),
        mimeType: z.string().optional(),
      }),
    ),
    certificateChain: z.array(z.object({ subject: z.string(), anchor: z.boolean() })),
    timestamps: z.array(TimestampSummarySchema),
    buildingBlocks: z.array(BuildingBlockSchema),
  })
  .openapi('SignatureValidationReport');

export type ValidationReport = z.infer<typeof ValidationReportSchema>;
export type BuildingBlock = z.infer<typeof BuildingBlockSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type CertificateSummary = z.infer<typeof CertificateSummarySchema>;
export type TimestampSummary = z.infer<typeof TimestampSummarySchema>;
