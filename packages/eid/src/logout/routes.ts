import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, problemResponses } from '@kakehashi/core';
import '../error-codes.ts';
import { readOAuthForm } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { endSession } from './end-session.ts';

const tags = ['eid'];
const param = (name: string, description: string) => ({
  name,
  in: 'query' as const,
  required: false,
  description,
  schema: { type: 'string' as const },
});

const PARAMETERS = [
  param('id_token_hint', 'An ID token this provider issued (its expiry does not matter)'),
  param('client_id', 'The relying party (must equal the audience of id_token_hint)'),
  param('post_logout_redirect_uri', 'A registered post_logout_redirect_uri of the client'),
  param('state', 'Returned on the post-logout redirect'),
  param('logout_hint', 'Accepted and ignored'),
  param('ui_locales', 'Accepted and ignored'),
];

/**
 * The end-session endpoint (RP-initiated logout), GET and POST.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 */
export function logoutRoutes(ctx: ProviderContext): ComponentApp {
  const r = createRouteModule();
  const responses = (redirect: 302 | 303) => ({
    200: {
      description: 'Logged out (no post_logout_redirect_uri)',
      content: { 'text/html': { schema: z.string() } },
    },
    [redirect]: { description: 'To the registered post_logout_redirect_uri, with state' },
    ...problemResponses(400),
  });
  r.openapi(
    createRoute({
      method: 'get',
      path: '/oidc/logout',
      tags,
      summary:
        'End session (RP-initiated logout): ends the login session (cookie, and the sid of id_token_hint), then redirects to post_logout_redirect_uri with state, or shows a logged-out page',
      description:
        'post_logout_redirect_uri must be registered for the client (client_id, or the audience of id_token_hint; kakehashi-demo-rp: any http loopback URI). A bad request is a problem page, never a redirect.',
      parameters: PARAMETERS,
      responses: responses(302),
    }),
    (c) => endSession(ctx, c, new URL(c.req.url).searchParams, 302),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/oidc/logout',
      tags,
      summary: 'End session with a form post (application/x-www-form-urlencoded, the same parameters as GET)',
      // Documented only: the form is read by readOAuthForm (repeated parameters refused).
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: Object.fromEntries(
                PARAMETERS.map((p) => [p.name, { type: 'string', description: p.description }]),
              ),
            },
          },
        },
      } as unknown as RouteConfig['requestBody'],
      responses: responses(303),
    }),
    async (c) => endSession(ctx, c, await readOAuthForm(c), 303),
  );
  return r;
}
