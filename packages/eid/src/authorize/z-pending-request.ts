import { LoaSchema } from '@kakehashi/personas';
import { z } from 'zod';
import type { AuthenticatedIdentity } from '../id-token/z-identity.ts';

/** A validated authorization request, kept server-side while the user picks a persona. */
export const PendingRequestSchema = z.object({
  clientId: z.string(),
  redirectUri: z.string(),
  state: z.string(),
  nonce: z.string(),
  codeChallenge: z.string(),
  /** The granted scope: as requested, without offline_access unless it is granted (see validateAuthorizationRequest). */
  scope: z.string(),
  /** `prompt` values (OIDC Core §3.1.2.1): none, login, consent, select_account. */
  prompt: z.array(z.enum(['none', 'login', 'consent', 'select_account'])).optional(),
  /** `max_age` in seconds: a session authenticated longer ago needs a new authentication. */
  maxAge: z.number().int().nonnegative().optional(),
  /** The acr chosen from acr_values (the lowest requested LoA the node can satisfy); absent: none requested. */
  acr: LoaSchema.optional(),
  /** The pairwise sector: the registered sector identifier or the host of the redirect URI. */
  sector: z.string(),
  /** The trace the request came in (`kakehashi_trace`), handed back on the redirect so the login stays one trace. */
  traceparent: z.string().max(60).optional(),
  /**
   * The fault this login asked for (`kakehashi_fault`, validated at the authorization endpoint), carried through the
   * code to the token endpoint, which mints the ID token with that defect (see `id-token/faults.ts`).
   */
  faults: z.array(z.string().max(100)).max(1).optional(),
});
export type PendingRequest = z.infer<typeof PendingRequestSchema>;

/** What an authorization code grants once the user has logged in: the request, the login and the identity. */
export type GrantData = PendingRequest & {
  acr: NonNullable<PendingRequest['acr']>;
  authTime: number;
  /** The login session the code came from (the ID token's `sid`). */
  sid?: string;
  identity: AuthenticatedIdentity;
};
