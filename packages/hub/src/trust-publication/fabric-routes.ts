import { createRoute } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import { TrustFabricSchema } from '../trust/describe-fabric.ts';
import type { HubTrust } from '../trust/hub-trust.ts';

const fabric = createRoute({
  method: 'get',
  path: '/trust/fabric',
  tags: ['trust'],
  summary:
    'The trust fabric as a tree — LOTL → national trusted lists → services (CAs, time-stamping units) → the certificates each CA issued — with every status and validity judged on the virtual clock',
  description:
    "What the hub publishes, walked as a relying party walks it (its own lists, verified): each list's sequence number and NextUpdate, each service's trusted-list status, each CA's CRL and each certificate's validity and revocation. The teaching console draws it (tab Trust fabric).",
  responses: {
    200: { description: 'The fabric', content: { 'application/json': { schema: TrustFabricSchema } } },
  },
});

/**
 * `GET /trust/fabric`: the trust fabric as the console shows it (issue 16: "the trust fabric on screen").
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/02.03.01_60/ts_119612v020301p.pdf §5.3, §5.5
 */
export function trustFabricRoutes(deps: { trust: HubTrust }): ComponentApp {
  const r = createRouteModule();
  r.openapi(fabric, (c) => c.json(deps.trust.fabric(), 200));
  return r;
}
