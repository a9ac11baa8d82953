import type { Context } from 'hono';
import { startCrossBorder } from '../connector/cross-border.ts';
import { oauthError } from '../errors/oauth-error.ts';
import type { AuthenticatedIdentity } from '../id-token/z-identity.ts';
import { noStore, redirectError } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { type LoginSession, startSession } from '../session/login-session.ts';
import { issueCode, sha256Hex } from './issue-code.ts';
import { type PendingRequest, PendingRequestSchema } from './z-pending-request.ts';

/** How long a pending authorization request waits for the user to pick a persona. */
export const PENDING_TTL_SECONDS = 600;
/** The headless-login query parameter (and header `X-Kakehashi-Persona`). */
export const HEADLESS_PERSONA_PARAM = 'kakehashi_persona';

/** Keeps a validated authorization request while the user picks a persona (stored hashed, single use). */
export function storePending(ctx: ProviderContext, requestId: string, request: PendingRequest): void {
  ctx.deps.store.run('DELETE FROM oidc_pending WHERE expires_at < ?', ctx.nowSeconds());
  ctx.deps.store.run(
    'INSERT INTO oidc_pending (id_hash, request, expires_at) VALUES (?, ?, ?)',
    sha256Hex(requestId),
    JSON.stringify(request),
    ctx.nowSeconds() + PENDING_TTL_SECONDS,
  );
}

/** Takes the pending request of a picker page (single use); unknown, used or expired is an error. */
export function consumePending(ctx: ProviderContext, requestId: string): PendingRequest {
  const idHash = sha256Hex(requestId);
  const row = ctx.deps.store.get<{ request: string; expires_at: number }>(
    'SELECT request, expires_at FROM oidc_pending WHERE id_hash = ?',
    idHash,
  );
  ctx.deps.store.run('DELETE FROM oidc_pending WHERE id_hash = ?', idHash);
  if (!row || row.expires_at < ctx.nowSeconds())
    throw oauthError(
      'oidc-request-expired',
      'This login page is unknown, used or expired: start again from the relying party.',
    );
  return PendingRequestSchema.parse(JSON.parse(row.request));
}

/**
 * Completes a login: a code for the relying party (302 from the authorization endpoint, 303 after a form post),
 * or an error redirect. A new authentication starts a login session (cookie); an answer from the existing
 * session (`resumed`) keeps its `auth_time` and `sid`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponse (OIDC Core §3.1.2.5)
 */
export function completeLogin(
  ctx: ProviderContext,
  c: Context,
  request: PendingRequest,
  identity: AuthenticatedIdentity,
  status: 302 | 303,
  resumed?: LoginSession,
): Response {
  // No transaction: the code is kept in memory and the session written behind the request (see `GrantWrites`).
  const r = issueCode(ctx, request, identity, resumed ?? startSession(ctx, c, identity));
  if (!r.ok) return redirectError(c, r.redirect, ctx.issuer);
  noStore(c);
  return c.redirect(r.location, status);
}

/** Sends a citizen of another country through the hub to that country's proxy service (the eIDAS connector). */
export async function crossBorderLogin(
  ctx: ProviderContext,
  c: Context,
  request: PendingRequest,
  country: string,
  headless?: string,
): Promise<Response> {
  const r = await startCrossBorder(ctx, c, request, country, headless);
  if ('redirect' in r) return redirectError(c, r.redirect, ctx.issuer);
  noStore(c);
  return c.redirect(r.location, 302);
}
