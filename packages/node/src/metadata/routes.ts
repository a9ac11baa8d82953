import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, NodeMetadataSchema, problemResponses } from '@kakehashi/core';
import type { Registration } from './registration.ts';

/**
 * The node's metadata (what it registers at the hub) and its signed form, and a new registration (admin).
 */
export function metadataRoutes(deps: { registration: Registration }): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/metadata',
      tags: ['registry'],
      summary: 'The node metadata and its signed form (compact JWS with x5c)',
      responses: {
        200: {
          description: 'Metadata',
          content: {
            'application/json': { schema: z.object({ metadata: NodeMetadataSchema, signedMetadata: z.string() }) },
          },
        },
      },
    }),
    async (c) => c.json(await deps.registration.signed(), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/register',
      tags: ['admin'],
      summary: 'Register again with the hub',
      security: [{ adminToken: [] }],
      responses: {
        200: {
          description: 'Registered',
          content: { 'application/json': { schema: z.object({ country: z.string(), created: z.boolean() }) } },
        },
        ...problemResponses(401, 502, 504),
      },
    }),
    async (c) => c.json(await deps.registration.register(), 200),
  );
  return r;
}
