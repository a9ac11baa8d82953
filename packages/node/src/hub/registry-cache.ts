import type { Clock, HubClient, NodeMetadata } from '@kakehashi/core';

/** How long a node reuses the hub's registry (virtual clock). */
export const REGISTRY_CACHE_MS = 60_000;

/** The registered nodes' metadata, as the eID block's lookups take them. */
export type RegisteredNodes = (fetcher: typeof fetch) => Promise<NodeMetadata[]>;

/**
 * The nodes registered at the hub (their metadata), reused for {@link REGISTRY_CACHE_MS} on the virtual clock:
 * every ID-token and SAML validation and every connector page needs them, and the registry changes rarely. A
 * clock set back before the cached answer refetches.
 */
export function createRegistryCache(hub: HubClient, clock: Clock): RegisteredNodes {
  let cache: { at: number; nodes: NodeMetadata[] } | undefined;
  return async (fetcher) => {
    const now = clock.nowMs();
    if (!cache || now < cache.at || now - cache.at > REGISTRY_CACHE_MS) {
      const nodes = await hub.registeredNodes(fetcher);
      cache = { at: now, nodes: nodes.map((n) => n.metadata) };
    }
    return cache.nodes;
  };
}
