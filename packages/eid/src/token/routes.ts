import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, recordHop } from '@kakehashi/core';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import '../error-codes.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { noStore, OAuthErrorBodySchema, readOAuthForm } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { exchangeCode } from './exchange-code.ts';
import { refreshGrant } from './refresh-grant.ts';

const TokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  id_token: z.string(),
  scope: z.string(),
  refresh_token: z
    .string()
    .optional()
    .openapi({ description: 'With offline_access granted (prompt=consent, client registered for refresh_token)' }),
});

const str = (description: string) => ({ type: 'string', description });
/** The token request form, for the OpenAPI document (the handler reads it with readOAuthForm). */
const TOKEN_REQUEST_FORM = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', enum: ['authorization_code', 'refresh_token'] },
    code: str('authorization_code: the code from the redirect'),
    redirect_uri: str('authorization_code: as in the authorization request'),
    code_verifier: str('authorization_code: the PKCE verifier'),
    refresh_token: str('refresh_token: the current refresh token (single use: the answer carries the next one)'),
    scope: str('refresh_token: a narrower scope (optional)'),
    client_id: str('client_secret_post, private_key_jwt'),
    client_secret: str('client_secret_post'),
    client_assertion_type: str('private_key_jwt: urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
    client_assertion: str('private_key_jwt: the signed assertion (RFC 7523)'),
  },
};

const GRANTS = { authorization_code: exchangeCode, refresh_token: refreshGrant } as const;

/**
 * The token endpoint: the authorization_code grant with PKCE and the refresh_token grant (rotation), clients
 * authenticated with the method they registered (client_secret_basic, client_secret_post or private_key_jwt).
 * Errors are OAuth JSON (the provider's error handler speaks that dialect on this path).
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
        "Token endpoint: grant_type=authorization_code (PKCE code_verifier) or refresh_token (rotated on every use; a reused one revokes its family); the client's registered authentication (client_secret_basic, client_secret_post, private_key_jwt). Errors as OAuth JSON {error, error_description}",
      // Documented only: the form is read by readOAuthForm (repeated parameters refused, OAuth JSON errors).
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: TOKEN_REQUEST_FORM } },
      } as unknown as RouteConfig['requestBody'],
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
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token')
        throw oauthError(
          'oidc-unsupported-grant-type',
          `grant_type=${grantType.slice(0, 60)} is not supported (authorization_code, refresh_token).`,
          'RFC 6749 §5.2',
        );
      if (!client.grantTypes.includes(grantType))
        throw oauthError(
          'oidc-unauthorized-client',
          `The client is not registered for grant_type=${grantType} (grant_types: ${client.grantTypes.join(', ')}).`,
          'RFC 7591 §2 (grant_types)',
        );
      const result = await GRANTS[grantType](ctx, client, params);
      recordHop(deps.traces, deps.clock, c.get('trace'), {
        component: 'node',
        country: deps.country,
        operation: grantType === 'refresh_token' ? 'oidc: ID token issued (refresh)' : 'oidc: ID token issued',
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
