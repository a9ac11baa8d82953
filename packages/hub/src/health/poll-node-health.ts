import type { Clock, ConfigView } from '@kakehashi/core';
import type { HubOptions } from '../options.ts';
import type { RegistryStore } from '../registry/registry-store.ts';

/** What checking the nodes' health needs. */
export interface NodeHealthDeps {
  registry: RegistryStore;
  clock: Clock;
  fetch: typeof fetch;
}

/**
 * Polls every registered node's `/health` once and records the outcome in the registry: `ok` only for a 2xx
 * answer whose body says `status: ok` (redirects are not followed); a node that does not answer within 3 s is `unreachable`.
 */
export async function checkNodeHealth(deps: NodeHealthDeps): Promise<void> {
  await Promise.all(
    deps.registry.list().map(async (n) => {
      const at = deps.clock.now().toISOString();
      try {
        const res = await deps.fetch(n.metadata.endpoints.health, {
          signal: AbortSignal.timeout(3000),
          headers: { 'x-kakehashi-caller': 'hub' },
          // The URL was checked at registration (the node's own origin); a redirect elsewhere is not followed.
          redirect: 'manual',
        });
        if (!res.ok) await res.body?.cancel();
        const body = res.ok ? ((await res.json()) as { status?: string }) : {};
        deps.registry.setHealth(
          n.country,
          res.ok && body.status === 'ok' ? 'ok' : 'unreachable',
          at,
          res.ok ? undefined : `HTTP ${res.status}`,
        );
      } catch (e) {
        deps.registry.setHealth(n.country, 'unreachable', at, e instanceof Error ? e.message.slice(0, 120) : 'error');
      }
    }),
  );
}

/**
 * Runs `check` every `healthIntervalMs` (0: never), re-scheduled when the option changes at runtime. The timer
 * does not keep the process alive. Returns the function that stops it.
 */
export function startHealthPoller(config: ConfigView<HubOptions>, check: () => Promise<void>): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearInterval(timer);
    const every = config.get('healthIntervalMs');
    if (every > 0) timer = setInterval(() => void check(), every).unref();
  };
  schedule();
  const unsubscribe = config.onChange((k) => k === 'healthIntervalMs' && schedule());
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
