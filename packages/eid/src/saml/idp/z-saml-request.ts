import { LoaSchema } from '@kakehashi/personas';
import { z } from 'zod';

/** A validated AuthnRequest, kept while the user picks a persona (and passed on to the Response builder). */
export const ValidatedAuthnRequestSchema = z.object({
  requestId: z.string(),
  spEntityId: z.string(),
  spKind: z.enum(['connector', 'demo', 'registered']),
  acsUrl: z.string(),
  relayState: z.string().optional(),
  requestedLoa: LoaSchema,
  /** Attribute friendly names to release (the minimum data set always, optional ones when requested). */
  attributes: z.array(z.string()),
  spType: z.enum(['public', 'private']),
  /** Destination country of the PersonIdentifier. */
  destinationCountry: z.string().regex(/^[A-Z]{2}$/),
  encryptionCert: z.string(),
  /** The fault the login asked for (`kakehashi_fault`), honoured when the Response is built. */
  faults: z.array(z.string()).optional(),
});
export type ValidatedAuthnRequest = z.infer<typeof ValidatedAuthnRequestSchema>;

/** A SAML status to send back to a known SP. */
export interface SamlStatus {
  top: string;
  second?: string;
  message: string;
}
