import { createRoute } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import type { Context } from 'hono';
import { UserinfoSchema } from '../discovery/z-discovery.ts';
import '../error-codes.ts';
import { noStore, OAuthErrorBodySchema } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { readUserinfo } from './read-userinfo.ts';

const responses = {
  200: {
    description: 'The identity claims',
    content: { 'application/json': { schema: UserinfoSchema } },
  },
  401: {
    description: 'Missing, unknown or expired access token (WWW-Authenticate: Bearer)',
    content: { 'application/json': { schema: OAuthErrorBodySchema } },
  },
};

/**
 * The UserInfo endpoint, GET and POST, for a Bearer access token: the same identity claims as the ID token.
 * Errors are OAuth JSON with `WWW-Authenticate` (the provider's error handler speaks that dialect on this path).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo (OIDC Core §5.3)
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function userinfoRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  const userinfo = (c: Context) => {
    noStore(c);
    return c.json(readUserinfo(ctx, c.req.header('authorization')), 200);
  };
  r.openapi(
    createRoute({
      method: 'get',
      path: '/oidc/userinfo',
      tags: ['eid'],
      summary: 'UserInfo (Bearer access token): the same identity claims as the ID token',
      responses,
    }),
    userinfo,
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/oidc/userinfo',
      tags: ['eid'],
      summary: 'UserInfo with POST (Bearer access token in the Authorization header)',
      responses,
    }),
    userinfo,
  );
  return r;
}
