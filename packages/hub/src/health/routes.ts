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
            problems: z
              .array(z.string())
              .optional()
              .openapi({ description: 'Why the federation is degraded (an empty registry, a node not ok)' }),
          }),
        },
      },
    },
  },
});

/**
 * Federation health: the hub polls every registered node when asked, and reports the federation degraded when no
 * node is registered or any is not ok, saying why.
 */
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
    // An empty registry is no healthy federation: nothing can be discovered, no cross-border login can work.
    const problems = [
      ...(nodes.length === 0
        ? ['No node is registered: nodes register at start (POST /registry/nodes); restart them or check their logs.']
        : []),
      ...nodes.filter((n) => n.status !== 'ok').map((n) => `Node ${n.country} (${n.url}) is ${n.status}.`),
    ];
    return c.json(
      {
        status: problems.length === 0 ? ('ok' as const) : ('degraded' as const),
        hub: 'ok' as const,
        nodes,
        ...(problems.length ? { problems } : {}),
      },
      200,
    );
  });
  return r;
}
