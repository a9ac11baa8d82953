import type { Clock, DiscoveredEndpoint, HubClient } from '@kakehashi/core';

/** Where a participant's messages go, as the SML/SMP role answers it (the receiving access point's AS4 endpoint,
 * its signing certificate for receipts and its encryption certificate for payload keys). */
export type { DiscoveredEndpoint };

/** Discovery as the access point uses it: participant + service → endpoint; access point → registered certificate. */
export interface Discovery {
  resolve(participantId: string, service: string, fetcher: typeof fetch): Promise<DiscoveredEndpoint>;
  /** The signing certificate the hub's registry holds for the node of `country` (undefined: not registered). */
  registeredCertificate(country: string, fetcher: typeof fetch): Promise<string | undefined>;
}

/** How long a registered certificate is reused (virtual clock). */
export const REGISTRY_CACHE_MS = 60_000;

/**
 * Discovery through the hub's typed client, the hub playing the SML and SMP roles:
 * `GET /discovery/participants/{participantId}?service=` (`participant-not-found` when nobody serves it; 502/504
 * when the hub is down or slow) and `GET /registry/nodes/{country}` (cached on the virtual clock).
 * @see https://docs.oasis-open.org/bdxr/bdx-smp/v2.0/os/bdx-smp-v2.0-os.html §5
 */
export function createHubDiscovery(opts: { hub: HubClient; clock: Clock }): Discovery {
  const cache = new Map<string, { at: number; pem: string | undefined }>();
  return {
    resolve: (participantId, service, fetcher) => opts.hub.discover(participantId, service, fetcher),
    async registeredCertificate(country, fetcher) {
      const now = opts.clock.nowMs();
      const hit = cache.get(country);
      if (hit && now >= hit.at && now - hit.at < REGISTRY_CACHE_MS) return hit.pem;
      const pem = (await opts.hub.node(country, fetcher))?.metadata.certificates.signing;
      cache.set(country, { at: now, pem });
      return pem;
    },
  };
}
