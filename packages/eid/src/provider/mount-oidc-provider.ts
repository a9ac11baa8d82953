import { type ComponentApp, problemErrorHandler, toKakehashiError } from '@kakehashi/core';
import { authorizeRoutes } from '../authorize/routes.ts';
import { cardRoutes } from '../card/routes.ts';
import { createClientRegistry } from '../clients/client-registry.ts';
import { clientAdminRoutes } from '../clients/routes.ts';
import { connectorRoutes } from '../connector/routes.ts';
import { discoveryRoutes } from '../discovery/routes.ts';
import '../error-codes.ts';
import { ID_TOKEN_FAULTS } from '../id-token/faults.ts';
import { buildSigningKeys, type SigningKey } from '../keys/build-jwks.ts';
import { deriveEidKeys } from '../keys/derive-keys.ts';
import { logoutRoutes } from '../logout/routes.ts';
import { EID_MIGRATIONS } from '../store/eid-migrations.ts';
import { createGrantPurge } from '../store/purge-expired.ts';
import { tokenRoutes } from '../token/routes.ts';
import { userinfoRoutes } from '../userinfo/routes.ts';
import { OAUTH_JSON_PATHS, oauthJsonError } from './oauth-http.ts';
import type { OidcProviderDeps, ProviderContext } from './provider-context.ts';

/**
 * Mounts the OpenID Connect provider of a national node on its app: discovery (OIDC and RFC 8414), JWKS, the
 * authorization endpoint (login sessions with prompt and max_age; persona picker, or headless with
 * `kakehashi_persona`), login, token (code and refresh_token grants), userinfo and end-session endpoints, and the
 * relying-party admin API; the eIDAS connector's callback when the node is federated, the Individual Number Card
 * login when it has one. The issuer is the node's origin. It offers the `id-token.*` faults (`PUT /admin/faults`,
 * or `kakehashi_fault` on one authorization request). TEST ONLY: keys derive from the public seed.
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 * @see https://www.rfc-editor.org/rfc/rfc9700 (OAuth 2.0 Security Best Current Practice)
 */
export function mountOidcProvider(app: ComponentApp, deps: OidcProviderDeps): ProviderContext {
  deps.store.migrate(EID_MIGRATIONS);
  // The ID-token faults (off by default): switched on for every login, or asked for by one (kakehashi_fault).
  deps.faults.offer(ID_TOKEN_FAULTS);
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
      endSession: `${issuer}/oidc/logout`,
    },
    keys,
    signingKeys: () => {
      signingKeys ??= buildSigningKeys(deps.signing, keys.es256);
      return signingKeys;
    },
    clients,
    personas: new Map(deps.personas.map((p) => [p.id, p])),
    nowSeconds: () => Math.floor(deps.clock.nowMs() / 1000),
    purgeExpired: createGrantPurge(deps.store, () => Math.floor(deps.clock.nowMs() / 1000)),
  };

  // Token and userinfo speak OAuth's JSON error dialect, even for failures raised before the handler runs
  // (malformed JSON, oversized bodies: the component's middleware), so the component's handler is wrapped; every
  // other route keeps RFC 9457 problem+json.
  const problems = problemErrorHandler(deps.logger);
  app.onError((err, c) => {
    if (!OAUTH_JSON_PATHS.has(c.req.path)) return problems(err, c);
    const k = toKakehashiError(err);
    if (k.status >= 500) deps.logger.error('OIDC request failed', { path: c.req.path, cause: String(k.cause) });
    return oauthJsonError(c, k, issuer);
  });

  app.route('/', discoveryRoutes(ctx));
  app.route('/', authorizeRoutes(ctx));
  if (deps.card) app.route('/', cardRoutes(ctx, deps.card));
  app.route('/', tokenRoutes(ctx));
  app.route('/', logoutRoutes(ctx));
  app.route('/', userinfoRoutes(ctx));
  app.route('/', clientAdminRoutes(ctx));
  if (deps.federation) app.route('/', connectorRoutes(ctx));
  return ctx;
}
