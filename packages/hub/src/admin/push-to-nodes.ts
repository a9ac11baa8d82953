import type { ConfigView, CoreOptions, Logger } from '@kakehashi/core';
import type { RegistryStore } from '../registry/registry-store.ts';

/** What pushing an admin call to the nodes needs. */
export interface PushToNodesDeps {
  registry: RegistryStore;
  fetch: typeof fetch;
  config: ConfigView<CoreOptions>;
  logger: Logger;
}

/** Posts one admin call to every registered node; resolves when all have answered or failed. */
export type PushToNodes = (path: string, body: unknown) => Promise<void>;

/**
 * The hub's admin pushes to the nodes (clock changes, trust refresh). They go to the nodes' own admin API
 * with the admin token, which the typed hub client (node → hub) does not cover. A node that refuses or does
 * not answer within 5 s is logged and skipped: one unreachable node must not block the federation's clock.
 */
export function pushToNodes(deps: PushToNodesDeps): PushToNodes {
  return async (path, body) => {
    await Promise.all(
      deps.registry.list().map((n) =>
        deps
          .fetch(`${n.metadata.url}${path}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${deps.config.get('adminToken')}`,
              'x-kakehashi-caller': 'hub',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(5000),
          })
          .then((r) =>
            r.ok
              ? undefined
              : deps.logger.warn('a node refused an admin push', { country: n.country, path, status: r.status }),
          )
          .catch((e: unknown) =>
            deps.logger.warn('a node did not take an admin push', {
              country: n.country,
              path,
              reason: e instanceof Error ? e.message : String(e),
            }),
          ),
      ),
    );
  };
}
