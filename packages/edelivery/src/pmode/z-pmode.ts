import { z } from '@hono/zod-openapi';
import { ALG, EBMS } from '../message/ns.ts';

const Text = z.string().trim().min(1).max(300);

export const PModePartiesSchema = z.object({
  role: Text,
  /** Party ids (of access points) allowed in this role; `*` admits any party whose certificate the hub registers. */
  parties: z.array(Text).min(1).max(100),
});

/**
 * A processing mode: the agreement under which two access points exchange one service's actions, with the
 * security, reception awareness and duplicate detection that apply.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html Appendix D
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §3.2
 */
export const PModeSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9._:-]+$/),
    agreement: Text.optional(),
    mep: z
      .literal('http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/oneWay')
      .default('http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/oneWay'),
    binding: z
      .literal('http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/push')
      .default('http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/push'),
    partyIdType: Text.default(EBMS.unregisteredPartyType),
    initiator: PModePartiesSchema,
    responder: PModePartiesSchema,
    service: z.object({ value: Text, type: Text.optional() }),
    actions: z.array(Text).min(1).max(50),
    security: z
      .object({
        /** The AS4 profile signs every UserMessage and receipt; unsigned is not offered. */
        sign: z.literal(true).default(true),
        signatureAlgorithm: z.enum([ALG.rsaSha256, ALG.rsaSha384, ALG.rsaSha512]).default(ALG.rsaSha256),
        encrypt: z.boolean().default(true),
        /** Lifetime of the WS-Security Timestamp of a UserMessage. */
        timestampTtlSeconds: z.number().int().min(10).max(3600).default(300),
      })
      .default({ sign: true, signatureAlgorithm: ALG.rsaSha256, encrypt: true, timestampTtlSeconds: 300 }),
    receptionAwareness: z
      .object({
        /** Resends after the first attempt (phase4 default: 1). */
        retries: z.number().int().min(0).max(50).default(1),
        /** Wait before the first resend (phase4 default: 10 s); each further resend waits `backoff` times longer. */
        retryIntervalMs: z.number().int().min(10).max(86_400_000).default(10_000),
        backoff: z.number().min(1).max(10).default(2),
      })
      .default({ retries: 1, retryIntervalMs: 10_000, backoff: 2 }),
    duplicateDetection: z
      .object({
        enabled: z.literal(true).default(true),
        /** phase4 default: 10 minutes. */
        windowMs: z
          .number()
          .int()
          .min(1000)
          .max(365 * 86_400_000)
          .default(600_000),
      })
      .default({ enabled: true, windowMs: 600_000 }),
    payload: z
      .object({
        compress: z.boolean().default(true),
        maxBytes: z
          .number()
          .int()
          .min(1)
          .max(50 * 1024 * 1024)
          .default(5 * 1024 * 1024),
      })
      .default({ compress: true, maxBytes: 5 * 1024 * 1024 }),
  })
  .strict();

export type PMode = z.infer<typeof PModeSchema>;
export type PModeInput = z.input<typeof PModeSchema>;

/** Time from the first attempt to the last resend under a P-Mode's reception awareness. */
export function retryHorizonMs(p: PMode): number {
  let total = 0;
  for (let i = 0; i < p.receptionAwareness.retries; i++)
    total += p.receptionAwareness.retryIntervalMs * p.receptionAwareness.backoff ** i;
  return total;
}

/** Delay before resend number `attempt` (1-based count of attempts made so far). */
export function retryDelayMs(p: PMode, attemptsMade: number): number {
  return Math.round(
    p.receptionAwareness.retryIntervalMs * p.receptionAwareness.backoff ** Math.max(0, attemptsMade - 1),
  );
}
