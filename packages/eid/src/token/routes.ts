import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, recordHop } from '@kakehashi/core';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import '../error-codes.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { noStore, OAuthErrorBodySchema, readOAuthForm } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { exchangeCode } from './exchange-code.ts';

const TokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  id_token: z.string(),
  scope: z.string(),
});

/**
 * The token endpoint: the authorization_code grant with PKCE, clients authenticated with client_secret_basic or
 * private_key_jwt. Errors are OAuth JSON (the provider's error handler speaks that dialect on this path).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenEndpoint (OIDC Core §3.1.3)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function tokenRoutes(ctx: ProviderContext): ComponentApp {
  const { deps, issuer } = ctx;
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/oidc/token',
      tags: ['eid'],
      summary:
        'Token endpoint: grant_type=authorization_code, PKCE code_verifier; client_secret_basic or private_key_jwt. Errors as OAuth JSON {error, error_description}',
      responses: {
        200: { description: 'Tokens', content: { 'application/json': { schema: TokenResponseSchema } } },
        400: { description: 'OAuth error', content: { 'application/json': { schema: OAuthErrorBodySchema } } },
        401: {
          description: 'Client authentication failed (WWW-Authenticate)',
          content: { 'application/json': { schema: OAuthErrorBodySchema } },
        },
      },
    }),
    async (c) => {
      noStore(c);
      const params = await readOAuthForm(c);
      const client = await authenticateClient({
        authorization: c.req.header('authorization'),
        params,
        registry: ctx.clients,
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
    },
  );
  return r;
}
