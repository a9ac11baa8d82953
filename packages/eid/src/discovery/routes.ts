import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import '../error-codes.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { buildDiscovery } from './build-discovery.ts';
import { ProviderMetadataSchema } from './z-discovery.ts';

const tags = ['eid'];

/**
 * OpenID Provider metadata, the same as OAuth 2.0 Authorization Server Metadata, and the ID-token verification
 * keys (public parts only).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3 (the well-known path for an issuer without a path)
 * @see https://www.rfc-editor.org/rfc/rfc7517 (JWK Set)
 */
export function discoveryRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/openid-configuration',
      tags,
      summary: 'OpenID Provider metadata (discovery); the issuer is the node origin',
      responses: {
        200: {
          description: 'Provider metadata',
          content: { 'application/json': { schema: ProviderMetadataSchema } },
        },
      },
    }),
    (c) => c.json(buildDiscovery(ctx), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/oauth-authorization-server',
      tags,
      summary:
        'OAuth 2.0 Authorization Server Metadata (RFC 8414): the same document as /.well-known/openid-configuration',
      responses: {
        200: {
          description: 'Authorization server metadata',
          content: { 'application/json': { schema: ProviderMetadataSchema } },
        },
      },
    }),
    (c) => c.json(buildDiscovery(ctx), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/oidc/jwks',
      tags,
      summary: 'ID-token verification keys: RS256 (node signing key, with x5c chain) and ES256 (derived from the seed)',
      responses: {
        200: {
          description: 'JWK Set',
          content: {
            'application/json': { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
          },
        },
      },
    }),
    async (c) => {
      c.header('cache-control', 'max-age=300');
      return c.json({ keys: (await ctx.signingKeys()).map((k) => k.publicJwk) }, 200);
    },
  );
  return r;
}
