import { z } from '@hono/zod-openapi';
import { type Check, CheckSchema, type Failure, FailureSchema, type Verdict, VerdictSchema } from '@kakehashi/core';
import { LOA } from '@kakehashi/personas';

/** The largest token the service looks at (an ID token is a few KB; x5c chains stay below this). */
export const MAX_TOKEN_CHARS = 16_384;

/** What the caller expects of the ID token (the validation boundary; zod-checked). */
export const ExpectedIdTokenSchema = z
  .object({
    /** The issuer: a registered node's `oidcIssuer` (its origin). */
    issuer: z.string().url().max(500),
    /** The relying party's client_id. */
    audience: z.string().min(1).max(500),
    /** The nonce the relying party sent in the authorization request. */
    nonce: z.string().min(1).max(500).optional(),
    /** Minimum eIDAS level of assurance: `acr` must be at least this (J16). */
    requestedLoa: z.enum([LOA.low, LOA.substantial, LOA.high]).optional(),
    /** `max_age` of the request: `auth_time` must be at most this old (J8). */
    maxAgeSeconds: z.number().int().min(0).max(31_536_000).optional(),
    /** Expected `typ` header (default `JWT`, what Kakehashi's providers set). */
    typ: z.string().min(1).max(100).optional(),
  })
  .strict();
export type ExpectedIdToken = z.infer<typeof ExpectedIdTokenSchema>;

/** Body of `POST /eid/validate/id-token`. */
export const ValidateIdTokenRequestSchema = z
  .object({
    token: z.string().min(1).max(MAX_TOKEN_CHARS),
    expected: ExpectedIdTokenSchema,
  })
  .strict();

/** The J-series rules of the attack catalogue, and the service's own checks. */
export type IdTokenRule =
  | 'J1'
  | 'J2'
  | 'J3'
  | 'J4'
  | 'J5'
  | 'J6'
  | 'J7'
  | 'J8'
  | 'J9'
  | 'J10'
  | 'J11'
  | 'J12'
  | 'J13'
  | 'J14'
  | 'J15'
  | 'J16'
  | 'J17'
  | 'issuer-registered'
  | 'claims';

/** One check of the ID-token validation: core's {@link Check} with its J-rule and a name. */
export interface IdTokenCheck extends Check {
  rule: IdTokenRule;
  name: string;
  /** The `lenient.*` fault that let this check's defect through (outcome `skipped`): the weak node mode. */
  fault?: string;
}

/** The identity an ID token asserts, once every check passed. */
export interface ValidatedIdentity {
  issuer: string;
  country: string;
  sub: string;
  acr?: string;
  amr?: string[];
  auth_time?: number;
  family_name?: string;
  given_name?: string;
  birthdate?: string;
  eidas_person_identifier?: string;
  eidas_family_name_latin?: string;
  eidas_given_name_latin?: string;
}

/** The verdict: core's {@link Verdict} (valid or not, every check, the first failure) with the identity. */
export interface IdTokenVerdict extends Verdict {
  identity?: ValidatedIdentity;
  checks: IdTokenCheck[];
  failure?: Failure & { rule: IdTokenRule };
}

/** A check as the eID validation services report it: core's check with a human-readable name. */
export const NamedCheckSchema = CheckSchema.extend({
  name: z.string(),
  fault: z.string().optional().openapi({
    description:
      'The lenient.* fault switched on at this component that let the defect through (the weak node mode): the check is skipped, its code says what strict validation refuses',
    example: 'lenient.id-token.alg-none',
  }),
});

/** The first failure as the eID validation services report it: it always names its rule. */
export const RuleFailureSchema = FailureSchema.extend({ rule: z.string() });

/** The verdict as OpenAPI documents it. */
export const IdTokenVerdictSchema = VerdictSchema.extend({
  identity: z.record(z.string(), z.unknown()).optional(),
  checks: z.array(NamedCheckSchema),
  failure: RuleFailureSchema.optional(),
});
