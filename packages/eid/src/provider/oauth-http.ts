import { z } from '@hono/zod-openapi';
import type { KakehashiError } from '@kakehashi/core';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorRedirectUrl, type RedirectError } from '../authorize/validate-authorization-request.ts';
import { oauthError, oauthErrorName } from '../errors/oauth-error.ts';

/** The routes that answer errors in OAuth's JSON dialect instead of problem+json. */
export const OAUTH_JSON_PATHS: ReadonlySet<string> = new Set(['/oidc/token', '/oidc/userinfo']);

/**
 * Marks a response as never cacheable (tokens, codes, login pages).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function noStore(c: Context): void {
  c.header('cache-control', 'no-store');
  c.header('pragma', 'no-cache');
}

/**
 * Reads an `application/x-www-form-urlencoded` body; a repeated parameter is an error.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export async function readOAuthForm(c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw oauthError(
      'oidc-invalid-request',
      'Send the parameters as application/x-www-form-urlencoded.',
      'RFC 6749 §4.1.3',
    );
  const params = new URLSearchParams(await c.req.text());
  const seen = new Set<string>();
  for (const k of params.keys()) {
    if (seen.has(k)) throw oauthError('oidc-invalid-request', `${k.slice(0, 40)} is repeated.`, 'RFC 6749 §3.2');
    seen.add(k);
  }
  return params;
}

/**
 * An OAuth error redirect to the relying party (error, error_description, state, iss).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9207
 */
export function redirectError(c: Context, e: RedirectError, issuer: string): Response {
  noStore(c);
  return c.redirect(errorRedirectUrl(e, issuer, oauthErrorName(e.error)), 302);
}

/**
 * An OAuth error as JSON `{error, error_description}`; 401 with `WWW-Authenticate` for token failures at userinfo
 * and for client authentication failures with the Authorization header (or none at all); 400 for the others.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function oauthJsonError(c: Context, k: KakehashiError, issuer: string): Response {
  const error = oauthErrorName(k);
  const description = k.message.replace(/["\\]/g, "'");
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  };
  let status = k.status;
  if (error === 'invalid_client') {
    // 401 with a Basic challenge when the client used the Authorization header (or sent no authentication at
    // all: the challenge says how); a failed client_secret_post or private_key_jwt is a plain 400, so that the
    // client reads the JSON error instead of an HTTP challenge it never answered.
    if (c.req.header('authorization') || k.extra.challenge === true) {
      status = 401;
      headers['www-authenticate'] = `Basic realm="${issuer}"`;
    } else status = 400;
  } else if (c.req.path === '/oidc/userinfo') {
    status = k.code === 'oidc-invalid-token' ? 401 : k.status;
    headers['www-authenticate'] = c.req.header('authorization')
      ? `Bearer realm="${issuer}", error="${error}", error_description="${description}"`
      : `Bearer realm="${issuer}"`;
  }
  return c.body(
    JSON.stringify({ error, error_description: k.message, code: k.code, ...(k.rule ? { rule: k.rule } : {}) }),
    status as ContentfulStatusCode,
    headers,
  );
}

/** The OAuth JSON error of the token and userinfo endpoints, as OpenAPI documents it. */
export const OAuthErrorBodySchema = z
  .object({
    error: z.string().openapi({ description: 'The OAuth error name, e.g. invalid_grant' }),
    error_description: z.string(),
    code: z.string().openapi({ description: 'The stable Kakehashi error code' }),
    rule: z.string().optional(),
  })
  .openapi('OAuthError');
