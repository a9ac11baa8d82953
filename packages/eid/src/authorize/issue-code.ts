import { TRACE_QUERY_PARAM } from '@kakehashi/core';
import { oauthError } from '../errors/oauth-error.ts';
import type { AuthenticatedIdentity } from '../id-token/z-identity.ts';
import { LOA_ORDER, loaRank } from '../loa/loa.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import type { LoginSession } from '../session/login-session.ts';
import { rememberIssuedCode } from './issued-codes.ts';
import { newSecret, sha256Hex } from './secrets.ts';
import type { RedirectError } from './validate-authorization-request.ts';
import type { PendingRequest } from './z-pending-request.ts';

/** Authorization code lifetime on the virtual clock. @see RFC 6749 §4.1.2 (short-lived, ≤ 10 min) */
export const CODE_TTL_SECONDS = 60;

export { newSecret, randomToken, sha256Hex } from './secrets.ts';

/**
 * Completes an authentication: checks the identity reaches the requested LoA, keeps a single-use code (in memory,
 * see `issuedCodes`) bound to the client, redirect URI, PKCE challenge, nonce, identity and login session (its `sid`
 * and `auth_time`), and returns the success redirect (code, state, iss) — or the error redirect when the identity's LoA is too low.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponse
 * @see https://www.rfc-editor.org/rfc/rfc9207
 */
export function issueCode(
  ctx: ProviderContext,
  request: PendingRequest,
  identity: AuthenticatedIdentity,
  session: Pick<LoginSession, 'sid' | 'authTime'>,
): { ok: true; location: string } | { ok: false; redirect: RedirectError } {
  let acr = request.acr;
  // A foreign citizen's LoA is their own country's scheme's (asserted by its proxy service), not this node's.
  const achievable = identity.foreign
    ? identity.loa
    : LOA_ORDER[Math.min(loaRank(identity.loa), loaRank(ctx.deps.loa)) - 1];
  if (acr && loaRank(identity.loa) < loaRank(acr))
    return {
      ok: false,
      redirect: {
        redirectUri: request.redirectUri,
        state: request.state,
        error: oauthError(
          'oidc-unmet-authentication-requirements',
          `This identity authenticates at ${identity.loa}, below the requested ${acr}.`,
          'eIDAS LoA (minimum comparison)',
        ),
      },
    };
  // Both ranks are of known LoAs: `achievable` is always one (the fallback only satisfies the type).
  acr ??= achievable ?? identity.loa;
  const code = newSecret();
  const now = ctx.nowSeconds();
  ctx.purgeExpired();
  rememberIssuedCode(ctx.deps.store, sha256Hex(code), {
    grant: { ...request, acr, authTime: session.authTime, ...(session.sid ? { sid: session.sid } : {}), identity },
    expiresAt: now + CODE_TTL_SECONDS,
    used: false,
  });
  const u = new URL(request.redirectUri);
  u.searchParams.set('code', code);
  u.searchParams.set('state', request.state);
  u.searchParams.set('iss', ctx.issuer);
  if (request.traceparent) u.searchParams.set(TRACE_QUERY_PARAM, request.traceparent);
  return { ok: true, location: u.toString() };
}
