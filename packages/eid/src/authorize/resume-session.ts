import type { Context } from 'hono';
import { oauthError } from '../errors/oauth-error.ts';
import { loaRank } from '../loa/loa.ts';
import { redirectError } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { type LoginSession, readSession } from '../session/login-session.ts';
import { completeLogin } from './login-flow.ts';
import type { PendingRequest } from './z-pending-request.ts';

/** Why the browser's session cannot answer this request, or undefined when it can. */
function unusable(
  ctx: ProviderContext,
  request: PendingRequest,
  session: LoginSession | undefined,
): string | undefined {
  if (!session) return `there is no login session at node ${ctx.deps.country}`;
  if (request.prompt?.includes('login') || request.prompt?.includes('select_account'))
    return `prompt=${request.prompt.join(' ')} asks for a new authentication`;
  if (request.maxAge !== undefined && ctx.nowSeconds() - session.authTime > request.maxAge)
    return `the session authenticated ${ctx.nowSeconds() - session.authTime} s ago, more than max_age=${request.maxAge}`;
  if (request.acr && loaRank(session.identity.loa) < loaRank(request.acr))
    return `the session's level of assurance is below the requested ${request.acr}`;
  return undefined;
}

/**
 * `prompt` and `max_age` against the browser's login session at this node (its cookie):
 * - `prompt=none`: the session answers (a code, keeping its `auth_time` and `sid`) or the relying party gets
 *   `login_required` — never a page, never a new authentication (the headless `kakehashi_persona` included);
 * - `prompt=login` / `select_account`, `max_age` exceeded (`max_age=0` always), or a session below the requested
 *   LoA: a new authentication (undefined: the caller logs in);
 * - otherwise a live session answers at once (single sign-on), unless the request names who logs in
 *   (`kakehashi_persona`, `kakehashi_country`): then that explicit choice is a new authentication.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (prompt, max_age)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError (login_required)
 */
export function answerFromSession(
  ctx: ProviderContext,
  c: Context,
  request: PendingRequest,
  explicitLogin: boolean,
): Response | undefined {
  const session = readSession(ctx, c);
  const why = unusable(ctx, request, session);
  if (request.prompt?.includes('none')) {
    if (session && !why) return completeLogin(ctx, c, request, session.identity, 302, session);
    return redirectError(
      c,
      {
        redirectUri: request.redirectUri,
        state: request.state,
        error: oauthError('oidc-login-required', `prompt=none, but ${why}.`, 'OIDC Core §3.1.2.1'),
      },
      ctx.issuer,
    );
  }
  if (session && !why && !explicitLogin) return completeLogin(ctx, c, request, session.identity, 302, session);
  return undefined;
}
