import { createPublicKey } from 'node:crypto';
import type { Context } from 'hono';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { isLoopbackRedirect } from '../clients/match-redirect-uri.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { noStore } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { endSessions } from '../session/login-session.ts';

const invalid = (description: string, rule = 'OpenID RP-Initiated Logout 1.0 §2') =>
  oauthError('oidc-invalid-logout-request', description, rule);

/** What an `id_token_hint` says once its signature is ours: the audience and the session. */
interface Hint {
  aud: string | undefined;
  sid: string | undefined;
}

/**
 * Reads an `id_token_hint`: signed by this provider (one of its keys, by `kid`, with that key's algorithm) and
 * issued by it. Its expiry does not matter — a hint is usually an old ID token.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout (id_token_hint)
 */
async function readHint(ctx: ProviderContext, token: string): Promise<Hint> {
  let header: { kid?: string; alg?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalid('id_token_hint is not a JWT.');
  }
  const key = (await ctx.signingKeys()).find((k) => k.kid === header.kid && k.alg === header.alg);
  if (!key) throw invalid('id_token_hint was not signed by a key of this provider (kid, alg).');
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(token, createPublicKey(key.privateKey), { algorithms: [key.alg] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    throw invalid('The signature of id_token_hint does not verify.');
  }
  if (payload.iss !== ctx.issuer) throw invalid(`id_token_hint was issued by another provider, not ${ctx.issuer}.`);
  const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
  return {
    aud: typeof aud === 'string' ? aud : undefined,
    sid: typeof payload.sid === 'string' ? payload.sid : undefined,
  };
}

/** The post-logout redirect URI, if it is registered for the client (exact match; the test RP: any loopback). */
function checkPostLogoutRedirect(client: RegisteredClient | undefined, uri: string): string {
  if (!client)
    throw invalid(
      'post_logout_redirect_uri needs the client: send client_id or id_token_hint.',
      'OpenID RP-Initiated Logout 1.0 §3',
    );
  const registered = client.registration.post_logout_redirect_uris ?? [];
  if (registered.includes(uri) || (client.anyLoopback && isLoopbackRedirect(uri))) return uri;
  throw invalid(
    `post_logout_redirect_uri is not registered for ${client.registration.client_id}${client.anyLoopback ? ' (nor an http loopback URI)' : ''}; no redirect was made.`,
    'OpenID RP-Initiated Logout 1.0 §3.1',
  );
}

/**
 * RP-initiated logout (GET query or POST form): `id_token_hint` (checked: our signature and issuer), `client_id`
 * (must agree with the hint's audience), `post_logout_redirect_uri` (registered for that client) and `state`.
 * Ends the browser's login session at this node and the one the hint names (`sid`), then redirects to the
 * post-logout URI with `state`, or shows a "logged out" page. A bad request is an error page and never a
 * redirect. TEST ONLY: the user is not asked to confirm.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 */
export async function endSession(
  ctx: ProviderContext,
  c: Context,
  params: URLSearchParams,
  status: 302 | 303,
): Promise<Response> {
  for (const name of new Set(params.keys()))
    if (params.getAll(name).length > 1) throw invalid(`${name.slice(0, 40)} is repeated.`, 'RFC 6749 §3.1');
  const hintToken = params.get('id_token_hint');
  const hint = hintToken ? await readHint(ctx, hintToken) : undefined;
  const clientId = params.get('client_id') ?? hint?.aud;
  if (hint?.aud && clientId !== hint.aud) throw invalid('client_id differs from the audience of id_token_hint.');
  const client = clientId ? ctx.clients.get(clientId) : undefined;
  if (clientId && !client) throw invalid(`No relying party "${clientId.slice(0, 100)}" is registered here.`);
  const postLogout = params.get('post_logout_redirect_uri');
  const target = postLogout ? checkPostLogoutRedirect(client, postLogout) : undefined;
  const ended = endSessions(ctx, c, hint?.sid);
  ctx.deps.logger.info('OIDC logout', { clientId, ended, redirect: target !== undefined });
  noStore(c);
  if (target) {
    const u = new URL(target);
    const state = params.get('state');
    if (state !== null) u.searchParams.set('state', state);
    return c.redirect(u.toString(), status);
  }
  c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Logged out — Kakehashi (TEST ONLY)</title></head>
<body><p data-testid="logged-out">You are logged out of node ${ctx.deps.country} (Kakehashi, TEST ONLY).</p></body></html>`,
  );
}
