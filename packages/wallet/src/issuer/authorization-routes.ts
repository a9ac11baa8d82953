import { createHash, randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import { Oauth2AuthorizationServer } from '@openid4vc/oauth2';
import type { Context } from 'hono';
import { createLocalJWKSet, jwtVerify } from 'jose';
import '../error-codes.ts';
import { oid4vcCallbacks } from '../crypto/oid4vc-callbacks.ts';
import type { EidLogin, WalletDeps } from '../wallet-deps.ts';
import { walletHop } from '../wallet-hop.ts';
import { AUTH_LIFETIMES, type AuthorizationState, type PushedRequest } from './authorization-state.ts';
import type { CredentialIssuerProfile, IssuerEndpoints } from './issuer-profile.ts';
import { OAuthErrorSchema } from './z-issuer.ts';

/** The form a wallet pushes (RFC 9126 §2.1), for the OpenAPI document (the handler reads the form itself). */
const PAR_FORM = {
  type: 'object',
  required: ['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method'],
  properties: {
    response_type: { type: 'string', enum: ['code'] },
    client_id: { type: 'string', description: "The wallet's client identifier (a public client)" },
    redirect_uri: { type: 'string', description: 'Where the code is sent (compared again at the token endpoint)' },
    code_challenge: { type: 'string', description: 'PKCE: base64url SHA-256 of the code_verifier (43 characters)' },
    code_challenge_method: { type: 'string', enum: ['S256'] },
    state: { type: 'string' },
    issuer_state: { type: 'string', description: "From the offer's authorization_code grant (OpenID4VCI §4.1.1)" },
    scope: { type: 'string', description: 'A credential configuration id (its scope)' },
    authorization_details: { type: 'string', description: 'JSON: openid_credential entries (OpenID4VCI §5.1.1)' },
  },
};

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** A redirect URI a wallet may ask for: absolute, no fragment, not a script or data URL (RFC 6749 §3.1.2). */
function acceptableRedirectUri(uri: string): boolean {
  if (uri.length > 2000 || uri.includes('#')) return false;
  try {
    const u = new URL(uri);
    return !['javascript:', 'data:', 'file:', 'vbscript:'].includes(u.protocol);
  } catch {
    return false;
  }
}

function parError(c: Context, description: string) {
  c.header('Cache-Control', 'no-store');
  return c.json(
    { error: 'invalid_request', error_description: description, code: 'vci-invalid-authorization-request' },
    400,
  ) as never;
}

/** The wallet's redirect URI with the authorization response's parameters (RFC 6749 §4.1.2, RFC 9207 `iss`). */
function walletRedirect(request: PushedRequest, params: Record<string, string>): string {
  const u = new URL(request.redirectUri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (request.state !== undefined) u.searchParams.set('state', request.state);
  return u.toString();
}

const esc = (v: string) =>
  v.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );

/**
 * Sends the browser back to the wallet. A program gets the 302; a browser navigation (`Sec-Fetch-Mode: navigate`)
 * gets a page that moves on by itself (meta refresh, and a link): the picker's form started this chain of
 * redirects, and its `form-action` (CSP Level 3 §6.4.1) lists the node's own origin, not the wallet's redirect URI,
 * so Chromium would block a redirect there.
 */
function backToWallet(c: Context, location: string) {
  if (c.req.header('sec-fetch-mode') !== 'navigate') return c.redirect(location, 302);
  c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  c.header('referrer-policy', 'no-referrer');
  const href = esc(location);
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Back to your wallet</title></head><body><p data-testid="back-to-wallet"><a href="${href}">Back to your wallet</a> (TEST ONLY)</p></body></html>`,
  );
}

/**
 * The authorization code flow of a credential issuer's authorization server (OpenID4VCI §5, HAIP: PAR and PKCE
 * S256), here for the PID provider (`/wallet/issuer`; Setagaya City's is the same under `/wallet/setagaya`):
 * the wallet pushes its request (`POST /wallet/issuer/par`, RFC 9126), opens `GET /wallet/issuer/authorize` with
 * the `request_uri`, and is sent to the node's OWN eID login — the PID provider is a relying party of the node's
 * OIDC provider, so the person sees the same persona picker as for any login at this node. The eID answers at
 * `GET /wallet/issuer/eid-callback`: the PID provider exchanges that code (with its own PKCE verifier and client
 * secret), verifies the ID token with the node's JWKS, and takes the persona from its eIDAS PersonIdentifier —
 * never from a request parameter. The wallet gets an authorization code at its redirect URI, bound to its client
 * id, redirect URI and PKCE challenge; the token endpoint exchanges it once.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#section-5
 * @see https://www.rfc-editor.org/rfc/rfc9126 (PAR), https://www.rfc-editor.org/rfc/rfc7636 (PKCE)
 */
export function authorizationRoutes(
  deps: WalletDeps,
  auth: AuthorizationState,
  profile: Pick<CredentialIssuerProfile, 'name' | 'basePath' | 'refusal'> & { eidLogin: EidLogin },
  endpoints: IssuerEndpoints,
): ComponentApp {
  const origin = deps.publicUrl;
  const eid = profile.eidLogin;
  const base = profile.basePath;
  const as = new Oauth2AuthorizationServer({ callbacks: oid4vcCallbacks({ fetch: deps.fetch }) });
  const hop = walletHop(deps);

  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: `${base}/par`,
      tags: ['wallet'],
      summary:
        "Pushed authorization request (RFC 9126 §2): response_type code, the wallet's client_id and redirect_uri, PKCE S256, issuer_state from an offer; answers a single-use request_uri (60 s)",
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: PAR_FORM } },
      } as never,
      responses: {
        201: {
          description: 'The request_uri',
          content: {
            'application/json': { schema: z.object({ request_uri: z.string(), expires_in: z.number() }) },
          },
        },
        400: { description: 'OAuth error', content: { 'application/json': { schema: OAuthErrorSchema } } },
      },
    }),
    async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      let parsed: Awaited<ReturnType<typeof as.parsePushedAuthorizationRequest>>;
      try {
        parsed = await as.parsePushedAuthorizationRequest({
          request: { method: 'POST', url: endpoints.par, headers: c.req.raw.headers },
          authorizationRequest: form,
        });
      } catch {
        return parError(c, 'The pushed authorization request is malformed (RFC 9126 §2.1).');
      }
      if (parsed.authorizationRequestJwt) return parError(c, 'A request object (JAR) is not accepted: push the form.');
      const q = parsed.authorizationRequest as Record<string, unknown>;
      const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
      if (str('response_type') !== 'code') return parError(c, 'response_type must be code.');
      const clientId = str('client_id');
      if (!clientId || clientId.length > 200) return parError(c, 'client_id is required (at most 200 characters).');
      const redirectUri = str('redirect_uri');
      if (!redirectUri || !acceptableRedirectUri(redirectUri))
        return parError(c, 'redirect_uri is required: an absolute URI without fragment (RFC 6749 §3.1.2).');
      if (str('code_challenge_method') !== 'S256')
        return parError(c, 'PKCE is required with code_challenge_method S256 (HAIP; RFC 7636 §4.3).');
      const codeChallenge = str('code_challenge');
      if (!codeChallenge || !PKCE_CHALLENGE.test(codeChallenge))
        return parError(c, 'code_challenge must be a base64url SHA-256 value (43 characters).');
      const issuerState = str('issuer_state');
      if (issuerState !== undefined && !auth.knowsIssuerState(issuerState))
        return parError(c, 'issuer_state is not one of this issuer’s offers (unknown, used or expired).');
      const state = str('state');
      if ((state?.length ?? 0) > 500) return parError(c, 'state is too long (500).');
      const requestUri = auth.push({
        clientId,
        redirectUri,
        codeChallenge,
        state,
        issuerState,
        scope: str('scope'),
      });
      hop(c, 'wallet: authorization request pushed', { type: 'pushed_authorization_request', clientId });
      c.header('Cache-Control', 'no-store');
      return c.json({ request_uri: requestUri, expires_in: AUTH_LIFETIMES.pushedRequest }, 201);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: `${base}/authorize`,
      tags: ['wallet'],
      summary:
        "Authorization endpoint (OpenID4VCI §5.1): client_id and a pushed request's request_uri (single use; PAR is required). Redirects to the node's own eID login (its persona picker); the person who logs in is the one whose PID is issued",
      request: {
        query: z.object({ client_id: z.string().max(200), request_uri: z.string().max(300) }),
      },
      responses: {
        302: { description: "To the node's eID login (GET /oidc/authorize)" },
        ...problemResponses(400),
      },
    }),
    (c) => {
      const { client_id, request_uri } = c.req.valid('query');
      const request = auth.takePushed(request_uri);
      // Never redirected: without a pushed request there is no redirect URI known to be the wallet's.
      if (!request || request.clientId !== client_id)
        throw new KakehashiError(
          'vci-invalid-authorization-request',
          `The request_uri is unknown, used, expired or pushed by another client: push the request again (POST ${base}/par).`,
        );
      const codeVerifier = randomBytes(32).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const loginState = auth.startLogin({ request, codeVerifier, nonce });
      const login = new URL(`${origin}/oidc/authorize`);
      login.search = new URLSearchParams({
        response_type: 'code',
        client_id: eid.clientId,
        redirect_uri: endpoints.eidCallback,
        scope: 'openid',
        state: loginState,
        nonce,
        code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      hop(c, "wallet: authorization request sent to the node's eID login", { type: 'authorization_request' });
      c.header('Cache-Control', 'no-store');
      return c.redirect(login.toString(), 302);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: `${base}/eid-callback`,
      tags: ['wallet'],
      summary: `Where the node's eID answers ${profile.name}'s login: the code is exchanged (PKCE, client secret), the ID token verified, the persona taken from its eidas_person_identifier; 302 to the wallet's redirect_uri with code, state, iss`,
      request: {
        query: z.object({
          state: z.string().max(200),
          code: z.string().max(500).optional(),
          error: z.string().max(100).optional(),
        }),
      },
      responses: {
        200: {
          description: "A browser's navigation: a page moving on to the wallet's redirect_uri (meta refresh and link)",
          content: { 'text/html': { schema: z.string() } },
        },
        302: { description: "To the wallet's redirect_uri (code, or error access_denied)" },
        ...problemResponses(400),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const login = auth.takeLogin(q.state);
      if (!login)
        throw new KakehashiError(
          'vci-eid-login-failed',
          'This login is unknown, used or expired: start again from the wallet.',
        );
      c.header('Cache-Control', 'no-store');
      const refuse = (description: string) => {
        hop(c, 'wallet: eID login refused', { type: 'authorization_response', error: 'access_denied' }, false);
        return backToWallet(
          c,
          walletRedirect(login.request, {
            error: 'access_denied',
            error_description: description,
            iss: endpoints.authorizationServer,
          }),
        );
      };
      if (!q.code) return refuse(`The eID login ended without a code (${q.error ?? 'no error given'}).`);
      const personaId = await personaOfLogin(c.get('fetch'), origin, endpoints.eidCallback, eid, login, q.code, () =>
        deps.clock.now(),
      );
      if (!personaId) return refuse(`The person who logged in is not a persona of ${deps.country}.`);
      const persona = deps.personas.find((p) => p.id === personaId);
      const refused = persona ? profile.refusal?.(persona) : undefined;
      if (refused) return refuse(refused.message);
      const code = auth.newCode({ personaId, request: login.request });
      hop(c, 'wallet: authorization code issued after the eID login', { type: 'authorization_code', personaId });
      return backToWallet(c, walletRedirect(login.request, { code, iss: endpoints.authorizationServer }));
    },
  );
  return r;
}

/**
 * Exchanges the eID's code at the node's token endpoint (client_secret_basic, the PKCE verifier), verifies the ID
 * token with the node's JWKS (issuer = the node's origin, audience = the PID provider, the login's nonce) and
 * names the persona of its `eidas_person_identifier`; undefined when any step fails.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (OIDC Core §3.1.3.7)
 */
async function personaOfLogin(
  fetcher: typeof fetch,
  origin: string,
  redirectUri: string,
  eid: EidLogin,
  login: { codeVerifier: string; nonce: string },
  code: string,
  now: () => Date,
): Promise<string | undefined> {
  try {
    const basic = Buffer.from(`${encodeURIComponent(eid.clientId)}:${encodeURIComponent(eid.clientSecret)}`);
    const res = await fetcher(`${origin}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${basic.toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: login.codeVerifier,
      }).toString(),
    });
    if (!res.ok) return undefined;
    const { id_token } = (await res.json()) as { id_token?: unknown };
    if (typeof id_token !== 'string') return undefined;
    const jwks = (await (await fetcher(`${origin}/oidc/jwks`)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const { payload } = await jwtVerify(id_token, createLocalJWKSet(jwks), {
      issuer: origin,
      audience: eid.clientId,
      currentDate: now(),
    });
    if (payload.nonce !== login.nonce) return undefined;
    const pid = payload.eidas_person_identifier;
    return typeof pid === 'string' ? eid.personaOf(pid) : undefined;
  } catch {
    return undefined;
  }
}
