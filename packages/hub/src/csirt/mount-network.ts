import type { ComponentApp, ComponentDeps } from '@kakehashi/core';
import { CsirtNetwork, type Delivery, mountCsirtNetwork } from '@kakehashi/csirt';
import type { RegistryStore } from '../registry/registry-store.ts';

/**
 * The CSIRT network at the hub: its members are the registered nodes' CSIRTs; a shared bundle is delivered to each
 * member the TLP allows at `POST /admin/csirt/indicators` (the admin token, as the hub's other pushes), and the feed
 * is served at `GET /csirt/feed` and as a TAXII 2.1 collection.
 */
export function mountNetwork(
  app: ComponentApp,
  deps: ComponentDeps & { publicUrl: string },
  registry: RegistryStore,
): CsirtNetwork {
  const network = new CsirtNetwork({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger.child({ block: 'csirt' }),
    members: () => registry.list().map((n) => ({ country: n.country, url: n.metadata.url })),
    deliver: async (member, body): Promise<Delivery> => {
      try {
        const res = await deps.fetch(`${member.url}/admin/csirt/indicators`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${deps.config.get('adminToken')}`,
            'x-kakehashi-caller': 'hub',
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
        await res.body?.cancel().catch(() => undefined);
        return res.ok
          ? { country: member.country, delivered: true }
          : { country: member.country, delivered: false, detail: `answered ${res.status}` };
      } catch (e) {
        return { country: member.country, delivered: false, detail: e instanceof Error ? e.message : String(e) };
      }
    },
  });
  mountCsirtNetwork(app, deps, network);
  return network;
}
