import { z } from '@hono/zod-openapi';

/**
 * How serious a security event is, lowest first (the CSIRT's grouping rules compare them by this order).
 * @see https://www.first.org/tlp/ (severities are the mock's own scale, not TLP)
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SeveritySchema = z.enum(SEVERITIES);

/** The rank of a severity (info 0 … critical 4), for "at least" comparisons. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/**
 * A run of exactly 12 digits (a My Number, a resident-record-like code or a 12-digit account): never in an event.
 * Longer digit runs (a 13-digit GLN of a participant id) are not refused.
 */
const TWELVE_DIGITS = /(?<!\d)\d{12}(?!\d)/;
const noTwelveDigits = (s: string) => !TWELVE_DIGITS.test(s);
const MSG_12 = 'must not carry a 12-digit number (a My Number or a national identifier)';

/** A safe identifier: letters, digits and `.:_-/#@+` only (no spaces, so no names), at most `max` characters. */
const ident = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9.:_\-/#@+]+$/, 'an identifier (letters, digits and .:_-/#@+ only)')
    .refine(noTwelveDigits, MSG_12);

/**
 * A rule name as the blocks give it: an attack-catalogue id (`J4`), an error code or a spec clause
 * (`ebMS 3.0 core §5.2.2.13 (E5)`). Rule names are the blocks' constants, never a caller's text.
 */
export const RuleSchema = z
  .string()
  .min(1)
  .max(160)
  .regex(/^[\p{L}\p{N} .:_\-/#§()+,'&]+$/u, 'a rule name')
  .refine(noTwelveDigits, MSG_12);

/**
 * What an event may say beyond its rule, closed: identifiers of peers, keys, certificates and messages, codes
 * and counts — never names, birth dates, My Numbers, national identifiers, tokens or free text from a request.
 * Unknown members are refused (a strict schema), so personal data cannot slip in under a new key.
 */
export const SecurityEventDetailSchema = z
  .object({
    /** The stable error code of the refusal (`jwt-signature-invalid`, `EBMS:0101`). */
    code: ident(80).optional(),
    /** The attack-catalogue id the rule maps to (J1…J17, S1…S20, X1…X6, C1…C11, E1…E9, P1…P8). */
    catalogueId: z
      .string()
      .regex(/^[JSXCEP]\d{1,2}$/)
      .optional(),
    /** The operation refused, e.g. `POST /eid/validate/id-token` or `eid connector: ID token validated`. */
    operation: z
      .string()
      .max(160)
      .regex(/^[\p{L}\p{N} .:_\-/#()+,]+$/u)
      .refine(noTwelveDigits, MSG_12)
      .optional(),
    /** The issuer whose artefact was refused (an origin or URL). */
    issuer: z.string().url().max(300).refine(noTwelveDigits, MSG_12).optional(),
    /** The `kid` of a refused token's header, when it is a plain identifier (else `kidHash`). */
    kid: z
      .string()
      .regex(/^(?!.*\.\.)[A-Za-z0-9._:-]{1,128}$/)
      .refine(noTwelveDigits, MSG_12)
      .optional(),
    /** SHA-256 (hex) of a `kid` that is not a plain identifier (an injection such as `../../dev/null`). */
    kidHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** RFC 7638 thumbprint (SHA-256, base64url) of the key a refused artefact was signed with or carried. */
    keyThumbprint: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .optional(),
    /** SHA-256 (hex) of a refused certificate's DER. */
    certificateFingerprint: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** An organisation's identifier: an AS4 party id, an agency code, a node (`node:DE`). */
    participant: ident(200).optional(),
    /** A message id (AS4 `MessageId`, SAML `ID`): an identifier of the message, not of a person. */
    messageId: ident(255).optional(),
    /** The HTTP status the refusal was answered with. */
    status: z.number().int().min(100).max(599).optional(),
    /** The lenient fault (weak node) in force when the rule was broken. */
    fault: ident(100).optional(),
    /** A pattern event: how many events, over how many seconds, of which rule. */
    count: z.number().int().min(0).optional(),
    windowSeconds: z.number().int().min(0).optional(),
    basedOn: RuleSchema.optional(),
    /** A refusal on the strength of a shared indicator: its STIX id. */
    indicator: ident(120).optional(),
  })
  .strict()
  .openapi('SecurityEventDetail');
export type SecurityEventDetail = z.infer<typeof SecurityEventDetailSchema>;

/** What a block records: the refusal; the component, the country and the virtual-clock time are filled in. */
export const SecurityEventInputSchema = z
  .object({
    rule: RuleSchema,
    severity: SeveritySchema,
    /** SHA-256 (hex) of the refused artefact (the token, the message, the document): never the artefact itself. */
    artefactHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** Who sent it: a component (`node:DE`), an origin, a participant. */
    peer: z
      .string()
      .max(300)
      .regex(/^[A-Za-z0-9.:_\-/#@+%?=&]+$/)
      .refine(noTwelveDigits, MSG_12)
      .optional(),
    /** The W3C trace id of the request the refusal answered. */
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional(),
    detail: SecurityEventDetailSchema.default({}),
  })
  .strict();
export type SecurityEventInput = z.input<typeof SecurityEventInputSchema>;

/** A recorded security event, as `GET /security/events` lists it. */
export const SecurityEventSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    time: z.string().openapi({ description: 'Virtual-clock time of the detection (ISO 8601)' }),
    component: z.enum(['hub', 'node']),
    country: z.string().optional(),
    rule: z.string(),
    severity: SeveritySchema,
    artefactHash: z.string().optional(),
    peer: z.string().optional(),
    traceId: z.string().optional(),
    detail: SecurityEventDetailSchema,
  })
  .openapi('SecurityEvent');
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;

/** The filter of `GET /security/events`. */
export const SecurityEventQuerySchema = z.object({
  since: z
    .string()
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Only events detected at or after this virtual-clock instant' }),
  rule: z.string().max(160).optional().openapi({ description: 'Only events of this rule (exact)' }),
  severity: SeveritySchema.optional().openapi({ description: 'Only events of at least this severity' }),
  afterSeq: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'Only events after this sequence number (to poll for new events)' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type SecurityEventQuery = z.infer<typeof SecurityEventQuerySchema>;

/**
 * Inputs already checked against {@link SecurityEventInputSchema} by core's own mechanism (`sanitised`), so
 * `SecurityEvents.record` does not check them twice. Module-internal: not exported from the package.
 */
export const VALIDATED_INPUTS = new WeakSet<object>();
