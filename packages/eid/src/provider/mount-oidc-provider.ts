import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  documentRoute,
  type KakehashiError,
  problemErrorHandler,
  problemResponses,
  recordHop,
  requireJson,
  toKakehashiError,
} from '@kakehashi/core';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { issueCode, newSecret, sha256Hex } from '../authorize/issue-code.ts';
import { renderPersonaPicker } from '../authorize/render-persona-picker.ts';
import {
  type AuthorizationValidation,
  errorRedirectUrl,
  type RedirectError,
  validateAuthorizationRequest,
} from '../authorize/validate-authorization-request.ts';
import { type PendingRequest, PendingRequestSchema } from '../authorize/z-pending-request.ts';
import { type CardSignature, cardChallenge, verifyCardLogin } from '../card/card-login.ts';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import { createClientRegistry } from '../clients/client-registry.ts';
import { type ClientRegistrationSchema, ClientViewSchema } from '../clients/z-client.ts';
import { connectorCountry, ensureConnectorClient } from '../connector/connector-client.ts';
import { CROSS_BORDER_COUNTRY_PARAM, mountConnectorCallback, startCrossBorder } from '../connector/cross-border.ts';
import { buildDiscovery } from '../discovery/build-discovery.ts';
import { oauthError, oauthErrorName } from '../errors/oauth-error.ts';
import { customIdentity, identityFromPersona } from '../id-token/build-identity.ts';
import { CustomIdentityInputSchema } from '../id-token/z-identity.ts';
import { buildSigningKeys, type SigningKey } from '../keys/build-jwks.ts';
import { deriveEidKeys } from '../keys/derive-keys.ts';
import { EID_MIGRATIONS } from '../store/eid-migrations.ts';
import { exchangeCode } from '../token/exchange-code.ts';
import { readUserinfo } from '../userinfo/read-userinfo.ts';
import type { OidcProviderDeps, ProviderContext } from './provider-context.ts';

/** How long a pending authorization request waits for the user to pick a persona. */
export const PENDING_TTL_SECONDS = 600;
/** The headless-login query parameter (and header `X-Kakehashi-Persona`). */
export const HEADLESS_PERSONA_PARAM = 'kakehashi_persona';

const OAUTH_JSON_PATHS = new Set(['/oidc/token', '/oidc/userinfo']);

/**
 * Mounts the OpenID Connect provider of a national node on its app: discovery, JWKS, the authorization
 * endpoint (persona picker, or headless with `kakehashi_persona`), login, token and userinfo endpoints, and the
 * relying-party admin API. The issuer is the node's origin. TEST ONLY: keys derive from the public seed.
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 * @see https://www.rfc-editor.org/rfc/rfc9700 (OAuth 2.0 Security Best Current Practice)
 */
export function mountOidcProvider(app: ComponentApp, deps: OidcProviderDeps): ProviderContext {
  deps.store.migrate(EID_MIGRATIONS);
  const clients = createClientRegistry(deps.store);
  for (const c of deps.clients ?? []) clients.register(c, 'file');
  const keys = deriveEidKeys(deps.config.get('seed'), deps.country);
  let signingKeys: Promise<SigningKey[]> | undefined;
  const issuer = deps.issuer.replace(/\/+$/, '');
  const ctx: ProviderContext = {
    deps,
    issuer,
    endpoints: {
      authorize: `${issuer}/oidc/authorize`,
      token: `${issuer}/oidc/token`,
      userinfo: `${issuer}/oidc/userinfo`,
      jwks: `${issuer}/oidc/jwks`,
      login: `${issuer}/oidc/login`,
    },
    keys,
    signingKeys: () => {
      signingKeys ??= buildSigningKeys(deps.signing, keys.es256);
      return signingKeys;
    },
    clients,
    personas: new Map(deps.personas.map((p) => [p.id, p])),
    nowSeconds: () => Math.floor(deps.clock.nowMs() / 1000),
  };

  // Token and userinfo speak OAuth's JSON error dialect, even for failures raised before the handler runs
  // (malformed JSON, oversized bodies); every other route keeps RFC 9457 problem+json.
  const problems = problemErrorHandler(deps.logger);
  app.onError((err, c) => {
    if (!OAUTH_JSON_PATHS.has(c.req.path)) return problems(err, c);
    const k = toKakehashiError(err);
    if (k.status >= 500) deps.logger.error('OIDC request failed', { path: c.req.path, cause: String(k.cause) });
    return oauthJsonError(c, k, issuer);
  });

  app.get('/.well-known/openid-configuration', (c) => c.json(buildDiscovery(ctx)));
  app.get('/oidc/jwks', async (c) => {
    c.header('cache-control', 'max-age=300');
    return c.json({ keys: (await ctx.signingKeys()).map((k) => k.publicJwk) });
  });

  app.get('/oidc/authorize', async (c) => {
    const params = new URL(c.req.url).searchParams;
    // A peer's eIDAS connector is registered from the hub's registry, never by hand.
    const clientId = params.get('client_id') ?? '';
    if (connectorCountry(clientId)) await ensureConnectorClient(ctx, clientId, c.get('fetch'));
    const v: AuthorizationValidation = validateAuthorizationRequest(ctx, params);
    if (!v.ok) return redirectError(c, v.redirect, issuer);
    const headless = params.get(HEADLESS_PERSONA_PARAM) ?? c.req.header('x-kakehashi-persona');
    const country = (params.get(CROSS_BORDER_COUNTRY_PARAM) ?? '').toUpperCase();
    if (country && country !== deps.country) return crossBorder(c, v.request, country, headless);
    if (headless) {
      const persona = ctx.personas.get(headless);
      if (!persona)
        return redirectError(
          c,
          {
            redirectUri: v.request.redirectUri,
            state: v.request.state,
            error: oauthError(
              'oidc-invalid-request',
              `${HEADLESS_PERSONA_PARAM} names no persona of node ${deps.country} (GET /personas lists them).`,
            ),
          },
          issuer,
        );
      return complete(c, v.request, identityFromPersona(persona), 302);
    }
    const requestId = newSecret();
    deps.store.run('DELETE FROM oidc_pending WHERE expires_at < ?', ctx.nowSeconds());
    deps.store.run(
      'INSERT INTO oidc_pending (id_hash, request, expires_at) VALUES (?, ?, ?)',
      sha256Hex(requestId),
      JSON.stringify(v.request),
      ctx.nowSeconds() + PENDING_TTL_SECONDS,
    );
    noStore(c);
    c.header('x-frame-options', 'DENY');
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    return c.html(
      renderPersonaPicker({
        country: deps.country,
        nodeName: `node ${deps.country}`,
        clientName: v.client.registration.client_name ?? v.client.registration.client_id,
        requestId,
        personas: deps.personas,
        ...(deps.card
          ? { card: { challenge: cardChallenge(issuer, requestId), reader: deps.card.readCard !== undefined } }
          : {}),
        countries: deps.federation ? await deps.federation.listPeers(c.get('fetch')).catch(() => []) : [],
      }),
    );
  });

  const crossBorder = async (c: Context, request: PendingRequest, country: string, headless?: string) => {
    const r = await startCrossBorder(ctx, c, request, country, headless);
    if ('redirect' in r) return redirectError(c, r.redirect, issuer);
    noStore(c);
    return c.redirect(r.location, 302);
  };

  app.post('/oidc/login', async (c) => {
    const form = await readForm(c);
    const requestId = form.get('request_id') ?? '';
    const abroad = form.get('country')?.toUpperCase();
    if (abroad && abroad !== deps.country) return crossBorder(c, consumePending(requestId), abroad);
    const personaId = form.get('persona');
    let identity: ReturnType<typeof identityFromPersona>;
    if (personaId) {
      const persona = ctx.personas.get(personaId);
      if (!persona)
        throw oauthError('oidc-invalid-request', `No persona "${personaId.slice(0, 40)}" at node ${deps.country}.`);
      identity = identityFromPersona(persona);
    } else {
      const parsed = CustomIdentityInputSchema.safeParse({
        family_name: form.get('family_name') ?? '',
        given_name: form.get('given_name') ?? '',
        birthdate: form.get('birthdate') ?? '',
      });
      if (!parsed.success)
        throw oauthError(
          'oidc-invalid-request',
          'Pick a persona, or give a custom identity: family_name, given_name and birthdate (YYYY-MM-DD).',
        );
      identity = customIdentity(keys.customIdentityKey, parsed.data, deps.loa);
    }
    const request = consumePending(requestId);
    return complete(c, request, identity, 303);
  });

  // ---- Japan: login with the Individual Number Card's user-authentication certificate -------------------
  if (deps.card) {
    const card = deps.card;
    const loginWithCard = (c: Context, requestId: string, signature: CardSignature) => {
      const personaId = verifyCardLogin(card, cardChallenge(issuer, requestId), signature, deps.clock.now());
      const persona = ctx.personas.get(personaId);
      if (!persona) throw oauthError('oidc-access-denied', 'The card holder is not a person of this IdP.', 'JPKI');
      return complete(c, consumePending(requestId), identityFromPersona(persona), 303);
    };
    app.post('/oidc/card-login', async (c) => {
      const form = await readForm(c);
      const requestId = form.get('request_id') ?? '';
      return loginWithCard(c, requestId, {
        certificate: form.get('certificate') ?? '',
        chain: (form.get('chain') ?? '').split(',').filter((x) => x.length > 0),
        signature: form.get('signature') ?? '',
      });
    });
    if (card.readCard) {
      const read = card.readCard;
      app.post('/oidc/card-reader', async (c) => {
        const form = await readForm(c);
        const requestId = form.get('request_id') ?? '';
        const personaId = form.get('persona') ?? '';
        if (!ctx.personas.has(personaId))
          throw oauthError('oidc-invalid-request', `No card for "${personaId.slice(0, 40)}" in the simulated reader.`);
        return loginWithCard(c, requestId, read(personaId, cardChallenge(issuer, requestId)));
      });
    }
  }

  const consumePending = (requestId: string): PendingRequest => {
    const idHash = sha256Hex(requestId);
    const row = deps.store.get<{ request: string; expires_at: number }>(
      'SELECT request, expires_at FROM oidc_pending WHERE id_hash = ?',
      idHash,
    );
    deps.store.run('DELETE FROM oidc_pending WHERE id_hash = ?', idHash);
    if (!row || row.expires_at < ctx.nowSeconds())
      throw oauthError(
        'oidc-request-expired',
        'This login page is unknown, used or expired: start again from the relying party.',
      );
    return PendingRequestSchema.parse(JSON.parse(row.request));
  };

  const complete = (
    c: Context,
    request: PendingRequest,
    identity: ReturnType<typeof identityFromPersona>,
    status: 302 | 303,
  ) => {
    const r = issueCode(ctx, request, identity);
    if (!r.ok) return redirectError(c, r.redirect, issuer);
    noStore(c);
    return c.redirect(r.location, status);
  };

  app.post('/oidc/token', async (c) => {
    noStore(c);
    const params = await readForm(c);
    const client = await authenticateClient({
      authorization: c.req.header('authorization'),
      params,
      registry: clients,
      store: deps.store,
      audiences: [ctx.endpoints.token, issuer],
      issuer,
      now: deps.clock.now(),
      clockToleranceSeconds: deps.config.get('clockSkewSeconds'),
    });
    const grantType = params.get('grant_type');
    if (!grantType) throw oauthError('oidc-invalid-request', 'grant_type is missing.', 'RFC 6749 §4.1.3');
    if (grantType !== 'authorization_code')
      throw oauthError(
        'oidc-unsupported-grant-type',
        'Only grant_type=authorization_code is supported.',
        'RFC 6749 §5.2',
      );
    const result = await exchangeCode(ctx, client, params);
    recordHop(deps.traces, deps.clock, c.get('trace'), {
      component: 'node',
      country: deps.country,
      operation: 'oidc: ID token issued',
      direction: 'internal',
      peer: client.registration.client_id,
      artefact: { type: 'id_token', header: result.decoded.header, claims: result.decoded.claims },
      verdict: { valid: true },
    });
    return c.json(result.response, 200);
  });

  const userinfo = (c: Context) => {
    noStore(c);
    return c.json(readUserinfo(ctx, c.req.header('authorization')), 200);
  };
  app.get('/oidc/userinfo', userinfo);
  app.post('/oidc/userinfo', userinfo);

  // ---- relying-party registration (admin) --------------------------------------------------------------
  const security = [{ adminToken: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/oidc/clients',
      tags: ['eid', 'admin'],
      security,
      summary: 'Registered OIDC relying parties (secrets are never returned)',
      responses: {
        200: {
          description: 'Clients',
          content: { 'application/json': { schema: z.object({ clients: z.array(ClientViewSchema) }) } },
        },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ clients: clients.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/oidc/clients',
      tags: ['eid', 'admin'],
      security,
      summary: 'Register (or replace) an OIDC relying party: client_secret_basic or private_key_jwt',
      request: {
        body: { required: true, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
      },
      responses: {
        200: { description: 'Replaced', content: { 'application/json': { schema: ClientViewSchema } } },
        201: { description: 'Registered', content: { 'application/json': { schema: ClientViewSchema } } },
        ...problemResponses(400, 401, 409, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const r = clients.register(c.req.valid('json') as z.input<typeof ClientRegistrationSchema>, 'admin');
      deps.logger.info('OIDC client registered', { clientId: r.client.client_id, created: r.created });
      return c.json(r.client, r.created ? 201 : 200);
    },
  );

  if (deps.federation) mountConnectorCallback(app, ctx);
  documentOidcRoutes(app, deps.federation !== undefined);
  if (deps.card) documentCardRoutes(app, deps.card.readCard !== undefined);
  return ctx;
}

function noStore(c: Context): void {
  c.header('cache-control', 'no-store');
  c.header('pragma', 'no-cache');
}

/** Reads an `application/x-www-form-urlencoded` body; a repeated parameter is an error (RFC 6749 §3.2). */
async function readForm(c: Context): Promise<URLSearchParams> {
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

function redirectError(c: Context, e: RedirectError, issuer: string): Response {
  noStore(c);
  return c.redirect(errorRedirectUrl(e, issuer, oauthErrorName(e.error)), 302);
}

/**
 * An OAuth error as JSON `{error, error_description}`; 401 with `WWW-Authenticate` for client and token
 * authentication failures.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
function oauthJsonError(c: Context, k: KakehashiError, issuer: string): Response {
  const error = oauthErrorName(k);
  const description = k.message.replace(/["\\]/g, "'");
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  };
  let status = k.status;
  if (error === 'invalid_client') {
    status = 401;
    headers['www-authenticate'] = `Basic realm="${issuer}"`;
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

function documentCardRoutes(app: ComponentApp, reader: boolean): void {
  documentRoute(app, {
    method: 'post',
    path: '/oidc/card-login',
    tags: ['eid'],
    produces: 'text/html',
    summary:
      "Login with the Individual Number Card: request_id, certificate (base64 DER of the user-authentication certificate), chain (comma-separated base64 DER), signature (base64 RSA-SHA256 over the picker's challenge `kakehashi-card-login/v1|<issuer>|<request_id>`); 303 to the RP",
    problems: [400, 403],
  });
  if (reader)
    documentRoute(app, {
      method: 'post',
      path: '/oidc/card-reader',
      tags: ['eid'],
      produces: 'text/html',
      summary:
        "TEST ONLY simulated card reader: request_id and persona; the persona's mock card signs the challenge, then the same checks as /oidc/card-login",
      problems: [400, 403],
    });
}

function documentOidcRoutes(app: ComponentApp, connector: boolean): void {
  const tags = ['eid'];
  if (connector)
    documentRoute(app, {
      method: 'get',
      path: '/eid/connector/callback',
      tags,
      summary:
        "eIDAS connector: the foreign proxy service's answer (code, state, iss). Redeems the code through the hub with private_key_jwt, validates the ID token (J1–J17), then redirects to the relying party with this node's own code",
      problems: [400],
    });
  documentRoute(app, {
    method: 'get',
    path: '/.well-known/openid-configuration',
    tags,
    summary: 'OpenID Provider metadata (discovery); the issuer is the node origin',
  });
  documentRoute(app, {
    method: 'get',
    path: '/oidc/jwks',
    tags,
    summary: 'ID-token verification keys: RS256 (node signing key, with x5c chain) and ES256 (derived from the seed)',
  });
  documentRoute(app, {
    method: 'get',
    path: '/oidc/authorize',
    tags,
    produces: 'text/html',
    summary:
      'Authorization endpoint (code + PKCE S256). Shows the TEST-ONLY persona picker (with the country selection of the eIDAS connector), or with kakehashi_persona=<id> (or header X-Kakehashi-Persona) redirects at once with code, state, iss; kakehashi_country=<CC> sends a citizen of another country through the hub to that country',
    description:
      'Errors before the redirect URI is validated (unknown client, unregistered redirect_uri) are answered here and never redirected; later errors are OAuth error redirects (error, error_description, state, iss).',
    problems: [400],
  });
  documentRoute(app, {
    method: 'post',
    path: '/oidc/login',
    tags,
    produces: 'text/html',
    summary:
      'The picker form posts here (request_id and persona, or family_name, given_name, birthdate); 303 to the RP',
    problems: [400],
  });
  documentRoute(app, {
    method: 'post',
    path: '/oidc/token',
    tags,
    summary:
      'Token endpoint: grant_type=authorization_code, PKCE code_verifier; client_secret_basic or private_key_jwt. Errors as OAuth JSON {error, error_description}',
    problems: [400, 401],
  });
  documentRoute(app, {
    method: 'get',
    path: '/oidc/userinfo',
    tags,
    summary: 'UserInfo (Bearer access token): the same identity claims as the ID token',
    problems: [401],
  });
  documentRoute(app, {
    method: 'post',
    path: '/oidc/userinfo',
    tags,
    summary: 'UserInfo with POST (Bearer access token in the Authorization header)',
    problems: [401],
  });
}
