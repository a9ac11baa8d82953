import { z } from '@hono/zod-openapi';
import { SeveritySchema } from '@kakehashi/core';
import { TlpSchema } from '../stix/tlp.ts';

/** What events are grouped by: the same value of one of these makes them one incident. */
export const CORRELATION_KEYS = [
  'peer',
  'keyThumbprint',
  'certificateFingerprint',
  'issuer',
  'participant',
  'rule',
] as const;

/**
 * A significant-incident criterion, as data: an incident meeting any one is significant and starts the reporting
 * process. `minSeverity`: an event of at least this severity; `minEvents`: at least this many events;
 * `rules`: an event of one of these rules (catalogue ids or rule names). Each says why, in the words of the law.
 */
export const SignificanceCriterionSchema = z
  .object({
    id: z.string().min(1).max(60),
    because: z.string().min(1).max(400),
    minSeverity: SeveritySchema.optional(),
    minEvents: z.number().int().min(1).optional(),
    rules: z.array(z.string().min(1).max(160)).max(100).optional(),
  })
  .strict()
  .openapi('SignificanceCriterion');
export type SignificanceCriterion = z.infer<typeof SignificanceCriterionSchema>;

/**
 * A national CSIRT's configuration: which events its inbox takes, how it groups them into incidents, when an
 * incident is significant, its reporting regime, and its sharing policy.
 */
export const CsirtPolicySchema = z
  .object({
    /** `nis2`: mandatory reporting (NIS2 art. 23); `jp-voluntary`: Japan's voluntary sharing, no deadline. */
    regime: z.enum(['nis2', 'jp-voluntary']),
    /** Events below this severity stay in the component's log and open no incident. */
    minSeverity: SeveritySchema,
    /** Events sharing a value of one of these keys within the window join one incident (first key that matches). */
    correlateBy: z.array(z.enum(CORRELATION_KEYS)).min(1),
    /** How long an incident takes new events (hours on the virtual clock, after its last event). */
    windowHours: z
      .number()
      .min(0)
      .max(24 * 90),
    significant: z.array(SignificanceCriterionSchema).max(20),
    /** The TLP of what this CSIRT shares unless a report says otherwise. */
    defaultTlp: TlpSchema,
    /** Countries this CSIRT's AMBER shares go to (empty: every member that needs them). */
    shareWith: z.array(z.string().regex(/^[A-Z]{2}$/)).max(30),
    /** The days an indicator it shares stays valid. */
    indicatorValidDays: z.number().int().min(1).max(3650),
  })
  .strict()
  .openapi('CsirtPolicy');
export type CsirtPolicy = z.infer<typeof CsirtPolicySchema>;

/**
 * EU nodes: NIS2. The criteria follow CIR (EU) 2024/2690 art. 3 (general) and art. 14 (trust service providers):
 * suspected malicious unauthorised access able to cause severe disruption is significant; so are repeated incidents
 * (art. 4: two in six months with the same root cause count as one).
 * @see https://eur-lex.europa.eu/eli/reg_impl/2024/2690/oj
 */
export const NIS2_POLICY: CsirtPolicy = {
  regime: 'nis2',
  minSeverity: 'medium',
  correlateBy: ['keyThumbprint', 'certificateFingerprint', 'issuer', 'participant', 'peer'],
  windowHours: 72,
  significant: [
    {
      id: 'malicious-access',
      because:
        'Suspected malicious and unauthorised access to the network and information systems, capable of causing severe operational disruption (CIR 2024/2690 art. 3(1)(d)).',
      minSeverity: 'high',
    },
    {
      id: 'recurring',
      because: 'Recurring refusals with the same root cause (CIR 2024/2690 art. 4).',
      minEvents: 10,
    },
  ],
  defaultTlp: 'amber',
  shareWith: [],
  indicatorValidDays: 30,
};

/**
 * Japan: no statutory deadline for this kind of operator; the CSIRT reports to NISC (the National Cybersecurity
 * Office since July 2025) and shares voluntarily through its sector's CEPTOAR or an ISAC and JPCERT/CC, under
 * the TLP and anonymisation the sharer chooses.
 */
export const JP_VOLUNTARY_POLICY: CsirtPolicy = {
  regime: 'jp-voluntary',
  minSeverity: 'medium',
  correlateBy: ['keyThumbprint', 'certificateFingerprint', 'issuer', 'participant', 'peer'],
  windowHours: 72,
  significant: [
    {
      id: 'malicious-access',
      because: 'A suspected intrusion into a government information system (NISC common standards: report promptly).',
      minSeverity: 'high',
    },
  ],
  defaultTlp: 'green',
  shareWith: [],
  indicatorValidDays: 30,
};
