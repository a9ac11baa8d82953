import { type ComponentApp, currentTrace, KakehashiError, type SecurityEvents, tracingFetch } from '@kakehashi/core';
import { mountNationalCsirt, NationalCsirt } from '@kakehashi/csirt';
import type { RegisteredNodes } from '../hub/registry-cache.ts';
import type { NodeDeps } from '../node-deps.ts';

/**
 * The country's national CSIRT at its node: its inbox hears the node's security events; it shares with the CSIRT
 * network through the hub (`POST /csirt/share`, the admin token the federation's members hold) and acts on what
 * the hub delivers (`POST /admin/csirt/indicators`, then the watchlist refuses the named keys and participants).
 */
export function mountCsirt(
  app: ComponentApp,
  deps: NodeDeps,
  security: SecurityEvents,
  registeredNodes: RegisteredNodes,
): NationalCsirt {
  const country = deps.profile.code;
  const csirt = new NationalCsirt({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger.child({ block: 'csirt' }),
    country,
    security,
    share: async (body) => {
      const trace = currentTrace();
      const fetcher = trace ? tracingFetch(deps.fetch, trace) : deps.fetch;
      const res = await fetcher(`${deps.hubUrl}/csirt/share`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${deps.config.get('adminToken')}`,
          'x-kakehashi-caller': `node:${country}`,
        },
        body: JSON.stringify({ from: body.from, shareWith: body.shareWith, bundle: body.bundle }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok)
        throw new KakehashiError(
          'upstream-unavailable',
          `The CSIRT network (hub) did not take the share: ${res.status} ${(await res.text()).slice(0, 300)}`,
        );
      await res.body?.cancel().catch(() => undefined);
    },
    originCountries: async () => {
      const out: Record<string, string> = {};
      for (const n of await registeredNodes(deps.fetch)) {
        out[new URL(n.url).origin] = n.country;
        if (n.endpoints.oidcIssuer) out[n.endpoints.oidcIssuer] = n.country;
      }
      return out;
    },
  });
  mountNationalCsirt(app, deps, csirt);
  return csirt;
}
