import { z } from '@hono/zod-openapi';
import { type Check, type Failure, type Verdict, VerdictSchema } from '@kakehashi/core';
import { LOA } from '@kakehashi/personas';
import { NamedCheckSchema, RuleFailureSchema } from '../../validate/z-validation.ts';

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

/** One check of the SAML Response validation: core's {@link Check} with its S/X rule and a name. */
export interface SamlCheck extends Check {
  rule: SamlRule;
  name: string;
}

/** The identity an eIDAS assertion carries, once every check passed. */
export const SamlIdentitySchema = z
  .object({
    issuer: z.string(),
    country: z.string(),
    assertionId: z.string(),
    nameId: z.string(),
    /** The AuthnStatement's SessionIndex: what Single Logout names. */
    sessionIndex: z.string().optional(),
    loa: z.string(),
    personIdentifier: z.string().optional(),
    familyName: z.string().optional(),
    firstName: z.string().optional(),
    familyNameLatin: z.string().optional(),
    firstNameLatin: z.string().optional(),
    dateOfBirth: z.string().optional(),
    birthName: z.string().optional(),
    placeOfBirth: z.string().optional(),
    currentAddress: z.string().optional(),
    gender: z.string().optional(),
  })
  .openapi('SamlIdentity');
export type SamlIdentity = z.infer<typeof SamlIdentitySchema>;

/** The verdict: core's {@link Verdict} (valid or not, every check, the first failure) with the identity. */
export interface SamlVerdict extends Verdict {
  identity?: SamlIdentity;
  checks: SamlCheck[];
  failure?: Failure & { rule: SamlRule };
}

/** The verdict as OpenAPI documents it. */
export const SamlVerdictSchema = VerdictSchema.extend({
  identity: SamlIdentitySchema.optional(),
  checks: z.array(NamedCheckSchema),
  failure: RuleFailureSchema.optional(),
}).openapi('SamlVerdict');
