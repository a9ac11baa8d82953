import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses, requireJson } from '@kakehashi/core';
import '../error-codes.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { ClientRegistrationSchema, ClientViewSchema } from './z-client.ts';

const tags = ['eid', 'admin'];
const security = [{ adminToken: [] }];

/**
 * Relying-party registration (admin): the clients in the node store; secrets are stored as SHA-256 and never
 * returned.
 * @see https://openid.net/specs/openid-connect-registration-1_0.html (the metadata names)
 */
export function clientAdminRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/oidc/clients',
      tags,
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
    (c) => c.json({ clients: ctx.clients.list() }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/oidc/clients',
      tags,
      security,
      summary:
        'Register (or replace) an OIDC relying party: client_secret_basic, client_secret_post or private_key_jwt; grant_types, post_logout_redirect_uris. A registration that does not fit is 400 oidc-invalid-client-metadata',
      request: { body: { required: true, content: { 'application/json': { schema: ClientRegistrationSchema } } } },
      responses: {
        200: { description: 'Replaced', content: { 'application/json': { schema: ClientViewSchema } } },
        201: { description: 'Registered', content: { 'application/json': { schema: ClientViewSchema } } },
        ...problemResponses(400, 401, 409, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const reg = ctx.clients.register(c.req.valid('json'), 'admin');
      ctx.deps.logger.info('OIDC client registered', { clientId: reg.client.client_id, created: reg.created });
      return c.json(reg.client, reg.created ? 201 : 200);
    },
    // A registration that does not fit is invalid_client_metadata (RFC 7591 §3.2.2), not a generic validation error.
    (result) => {
      if (result.success) return;
      const first = result.error.issues[0];
      throw new KakehashiError(
        'oidc-invalid-client-metadata',
        `The client registration is invalid: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : ''}`,
        { extra: { error: 'invalid_client_metadata' } },
      );
    },
  );
  return r;
}
