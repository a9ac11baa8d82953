import { LoaSchema } from '@kakehashi/personas';
import { z } from 'zod';

/** Who authenticated: a persona of the node, or a custom identity typed into the picker. */
export const AuthenticatedIdentitySchema = z.object({
  /** The persona id (`jp-001`) or `custom-<opaque>`; the input of the pairwise constructions, never shown. */
  subjectId: z.string().min(1),
  familyName: z.string().min(1),
  givenName: z.string().min(1),
  familyNameLatin: z.string().optional(),
  givenNameLatin: z.string().optional(),
  birthdate: z.iso.date(),
  loa: LoaSchema,
  custom: z.boolean(),
  /** A citizen of another country, authenticated by that country's proxy service through the hub. */
  foreign: z
    .object({
      country: z.string().regex(/^[A-Z]{2}$/),
      /** The foreign proxy service (its OIDC issuer). */
      issuer: z.string(),
      /** `A/B/opaque` as the proxy service of A issued it for this node's country B. */
      personIdentifier: z.string(),
    })
    .optional(),
});
export type AuthenticatedIdentity = z.infer<typeof AuthenticatedIdentitySchema>;

/** A custom identity as the picker form sends it. */
export const CustomIdentityInputSchema = z.object({
  family_name: z.string().trim().min(1).max(100),
  given_name: z.string().trim().min(1).max(100),
  birthdate: z.iso.date(),
});
