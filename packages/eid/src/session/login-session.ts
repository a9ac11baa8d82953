import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomToken } from '../authorize/secrets.ts';
import { type AuthenticatedIdentity, AuthenticatedIdentitySchema } from '../id-token/z-identity.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { grantWrites } from '../store/grant-writes.ts';

/** How long a login session at the provider lasts, on the virtual clock (absolute, from the authentication). */
export const SESSION_TTL_SECONDS = 8 * 3600;

/** A login session at the provider: who authenticated, when, and the public session id (`sid` claim). */
export interface LoginSession {
  /** Public session id: the ID token's `sid` claim, and what `id_token_hint` names at logout. Not the cookie. */
  sid: string;
  identity: AuthenticatedIdentity;
  /** When the user authenticated (seconds, virtual clock): the ID token's `auth_time`, what `max_age` measures. */
  authTime: number;
}

/**
 * The session cookie's name. Cookies are scoped to a host, not to a port, and every node of a local federation
 * listens on 127.0.0.1: the country in the name keeps one node's cookie from overwriting another's.
 */
export const sessionCookieName = (country: string) => `kakehashi_op_${country.toLowerCase()}`;

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;
const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function cookieOptions(ctx: ProviderContext) {
  // A session cookie (no Max-Age): the expiry that counts is the store's, on the virtual clock.
  return {
    path: '/oidc',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: ctx.issuer.startsWith('https:'),
  };
}

/** The browser's live login session at this node, from its cookie (expired or unknown: none). */
export function readSession(ctx: ProviderContext, c: Context): LoginSession | undefined {
  const secret = getCookie(c, sessionCookieName(ctx.deps.country));
  if (!secret || !COOKIE_VALUE.test(secret)) return undefined;
  grantWrites(ctx.deps.store).settle();
  const row = ctx.deps.store.get<{ sid: string; data: string; expires_at: number }>(
    'SELECT sid, data, expires_at FROM oidc_sessions WHERE sid_hash = ?',
    sha256Hex(secret),
  );
  if (!row || row.expires_at < ctx.nowSeconds()) return undefined;
  const data = JSON.parse(row.data) as { identity: unknown; authTime: number };
  const identity = AuthenticatedIdentitySchema.safeParse(data.identity);
  return identity.success ? { sid: row.sid, identity: identity.data, authTime: data.authTime } : undefined;
}

/**
 * Starts a login session after an authentication: stored in the node's store (the cookie secret only as
 * SHA-256; written behind the request, see `GrantWrites`), its cookie HttpOnly, SameSite=Lax, path `/oidc`, Secure
 * on https. The browser's previous session at this node ends (one person per browser). TEST ONLY: a mock's
 * convenience, no consent, no account choice.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Authenticates (OIDC Core §3.1.2.3)
 */
export function startSession(ctx: ProviderContext, c: Context, identity: AuthenticatedIdentity): LoginSession {
  const writes = grantWrites(ctx.deps.store);
  const now = ctx.nowSeconds();
  const previous = getCookie(c, sessionCookieName(ctx.deps.country));
  // Queued before the new session's insert: the previous one may itself still wait in the queue.
  if (previous) writes.write('DELETE FROM oidc_sessions WHERE sid_hash = ?', sha256Hex(previous));
  // Expired sessions go with the provider's throttled purge (a DELETE per login was a write per login).
  ctx.purgeExpired();
  const secret = randomToken(32);
  const session: LoginSession = { sid: randomToken(18), identity, authTime: now };
  writes.write(
    'INSERT INTO oidc_sessions (sid_hash, sid, data, expires_at) VALUES (?, ?, ?, ?)',
    sha256Hex(secret),
    session.sid,
    JSON.stringify({ identity, authTime: now }),
    now + SESSION_TTL_SECONDS,
  );
  setCookie(c, sessionCookieName(ctx.deps.country), secret, cookieOptions(ctx));
  return session;
}

/**
 * Ends the browser's session (its cookie) and the session an ID token names (`sid`), and clears the cookie.
 * Returns how many sessions ended.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function endSessions(ctx: ProviderContext, c: Context, sid: string | undefined): number {
  const { store } = ctx.deps;
  grantWrites(store).settle();
  let ended = 0;
  const secret = getCookie(c, sessionCookieName(ctx.deps.country));
  if (secret) ended += store.run('DELETE FROM oidc_sessions WHERE sid_hash = ?', sha256Hex(secret)).changes;
  if (sid) ended += store.run('DELETE FROM oidc_sessions WHERE sid = ?', sid).changes;
  if (secret) deleteCookie(c, sessionCookieName(ctx.deps.country), cookieOptions(ctx));
  return ended;
}
