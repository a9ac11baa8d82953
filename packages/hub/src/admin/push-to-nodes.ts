import type { ConfigView, CoreOptions, Logger } from '@kakehashi/core';
import type { RegistryStore } from '../registry/registry-store.ts';

/** What pushing an admin call to the nodes needs. */
export interface PushToNodesDeps {
  registry: RegistryStore;
  fetch: typeof fetch;
  config: ConfigView<CoreOptions>;
  logger: Logger;
}

/** What one node made of an admin push: `ok`, or why not (its status, or the network error). */
export interface PushOutcome {
  country: string;
  ok: boolean;
  detail?: string;
}

/** Posts one admin call to every registered node; resolves when all have answered or failed, with each outcome. */
export type PushToNodes = (path: string, body: unknown) => Promise<PushOutcome[]>;

/**
 * The hub's admin pushes to the nodes (clock changes, trust refresh). They go to the nodes' own admin API
 * with the admin token, which the typed hub client (node → hub) does not cover. A node that refuses or does
 * not answer within 5 s is logged and skipped: one unreachable node must not block the federation's clock.
 */
export function pushToNodes(deps: PushToNodesDeps): PushToNodes {
  return (path, body) =>
    Promise.all(
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
          .then(async (r): Promise<PushOutcome> => {
            await r.body?.cancel().catch(() => undefined);
            if (r.ok) return { country: n.country, ok: true };
            deps.logger.warn('a node refused an admin push', { country: n.country, path, status: r.status });
            return { country: n.country, ok: false, detail: `answered ${r.status}` };
          })
          .catch((e: unknown): PushOutcome => {
            const reason = e instanceof Error ? e.message : String(e);
            deps.logger.warn('a node did not take an admin push', { country: n.country, path, reason });
            return { country: n.country, ok: false, detail: reason };
          }),
      ),
    );
}
