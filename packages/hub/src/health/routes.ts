import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import type { RegistryStore } from '../registry/registry-store.ts';

/** What the federation health route needs: the registry and a way to poll the nodes now. */
export interface HealthRouteDeps {
  registry: RegistryStore;
  checkHealth: () => Promise<void>;
}

const federationHealth = createRoute({
  method: 'get',
  path: '/federation/health',
  tags: ['operations'],
  summary: 'Health of the hub and every registered node (checked now)',
  responses: {
    200: {
      description: 'Federation health',
      content: {
        'application/json': {
          schema: z.object({
            status: z.enum(['ok', 'degraded']),
            hub: z.literal('ok'),
            nodes: z.array(
              z.object({ country: z.string(), url: z.string(), status: z.string(), checkedAt: z.string().nullable() }),
            ),
          }),
        },
      },
    },
  },
});

/** Federation health: the hub polls every registered node when asked, and reports the federation degraded if any is not ok. */
export function healthRoutes(deps: HealthRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(federationHealth, async (c) => {
    await deps.checkHealth();
    const nodes = deps.registry.list().map((n) => ({
      country: n.country,
      url: n.metadata.url,
      status: n.health.status,
      checkedAt: n.health.checkedAt,
    }));
    return c.json(
      {
        status: nodes.every((n) => n.status === 'ok') ? ('ok' as const) : ('degraded' as const),
        hub: 'ok' as const,
        nodes,
      },
      200,
    );
  });
  return r;
}
