import { z } from '@hono/zod-openapi';
import type { ErrorCode } from '@kakehashi/core';
import { LOA } from '@kakehashi/personas';

/** The largest SAMLResponse the service looks at (base64 or XML text). */
export const MAX_SAML_RESPONSE_CHARS = 400_000;

/** What the caller expects of the Response (zod-checked at the boundary). */
export const ExpectedSamlResponseSchema = z
  .object({
    /** The IdP entity ID: a registered node's IdP metadata URL (`<node>/saml/idp/metadata`). */
    issuer: z.string().url().max(500),
    /** The SP entity ID (AudienceRestriction). */
    audience: z.string().min(1).max(1024),
    /** The ACS URL the Response was posted to (Destination and Recipient). */
    destination: z.string().url().max(1024),
    /** The ID of the AuthnRequest this answers (unsolicited responses are refused). */
    inResponseTo: z.string().min(1).max(256),
    /** The minimum LoA that was requested (S18). */
    requestedLoa: z.enum([LOA.low, LOA.substantial, LOA.high]).optional(),
    /** PEM private key to decrypt the assertion (the demo SP's published test key). */
    decryptionKeyPem: z.string().min(100).max(10_000).optional(),
  })
  .strict();
export type ExpectedSamlResponse = z.infer<typeof ExpectedSamlResponseSchema>;

/** Body of `POST /eid/validate/saml-response`. */
export const ValidateSamlResponseRequestSchema = z
  .object({
    /** The SAMLResponse form value (base64) or the Response XML itself. */
    samlResponse: z.string().min(1).max(MAX_SAML_RESPONSE_CHARS),
    expected: ExpectedSamlResponseSchema,
  })
  .strict();

export type SamlRule =
  | 'S1'
  | 'S2'
  | 'S3'
  | 'S4'
  | 'S5'
  | 'S6'
  | 'S7'
  | 'S8'
  | 'S9'
  | 'S10'
  | 'S11'
  | 'S12'
  | 'S13'
  | 'S14'
  | 'S15'
  | 'S16'
  | 'S17'
  | 'S18'
  | 'S19'
  | 'S20'
  | 'X1'
  | 'X2'
  | 'X3'
  | 'X4'
  | 'X5'
  | 'X6'
  | 'structure'
  | 'decryption'
  | 'issuer-registered';

export interface SamlCheck {
  rule: SamlRule;
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  reason: string;
  code?: ErrorCode;
}

/** The identity an eIDAS assertion carries, once every check passed. */
export interface SamlIdentity {
  issuer: string;
  country: string;
  assertionId: string;
  nameId: string;
  loa: string;
  personIdentifier?: string;
  familyName?: string;
  firstName?: string;
  familyNameLatin?: string;
  firstNameLatin?: string;
  dateOfBirth?: string;
  birthName?: string;
  placeOfBirth?: string;
  currentAddress?: string;
  gender?: string;
}

export interface SamlVerdict {
  valid: boolean;
  identity?: SamlIdentity;
  checks: SamlCheck[];
  failure?: { rule: SamlRule; code: ErrorCode; reason: string };
}

const CheckSchema = z.object({
  rule: z.string(),
  name: z.string(),
  outcome: z.enum(['passed', 'failed', 'skipped']),
  reason: z.string(),
  code: z.string().optional(),
});

/** The verdict as OpenAPI documents it. */
export const SamlVerdictSchema = z
  .object({
    valid: z.boolean(),
    identity: z.record(z.string(), z.unknown()).optional(),
    checks: z.array(CheckSchema),
    failure: z.object({ rule: z.string(), code: z.string(), reason: z.string() }).optional(),
  })
  .openapi('SamlVerdict');
