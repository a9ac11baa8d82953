import type { ComponentApp } from '@kakehashi/core';
import { adminRoutes } from './admin/routes.ts';
import { agencyRoutes } from './agencies/routes.ts';
import { createCooperationNetwork } from './create-cooperation-network.ts';
import type { CooperationNetworkDeps } from './deps.ts';
import type { CooperationNetwork } from './network-parts.ts';
import './error-codes.ts';
import { faultRoutes } from './faults/routes.ts';
import { networkRoutes } from './network/routes.ts';
import { portalRoutes } from './portal/routes.ts';
import { recordRoutes } from './records/routes.ts';
import { registryRoutes } from './registry/routes.ts';

/**
 * Mounts Japan's Cooperation Network on Japan's node: the key custodian, J-LIS (resident registry, My Number,
 * card ↔ resident), the network system (acquisition-number issuance, code index, translation, the authorisation
 * matrix, mediation, per-agency key rotation), the agencies' intermediary servers (each with its own store),
 * the hash-chained access records, the Mynaportal-like citizen portal, the kiosk, and the incident faults.
 * Every route is in the node's OpenAPI document. TEST ONLY.
 * @see ../../../shared/design/jp-cooperation-network.md
 */
export function mountCooperationNetwork(app: ComponentApp, deps: CooperationNetworkDeps): CooperationNetwork {
  const parts = createCooperationNetwork(deps);
  app.route('/', networkRoutes(parts));
  app.route('/', registryRoutes(parts));
  app.route('/', agencyRoutes(parts));
  app.route('/', recordRoutes(parts));
  app.route('/', adminRoutes(parts));
  app.route('/', faultRoutes(parts));
  app.route('/', portalRoutes(parts));
  return {
    faults: parts.faults,
    custodian: parts.custodian,
    registry: parts.registry,
    network: parts.network,
    servers: parts.servers,
    portal: parts.portal,
    kiosk: parts.kiosk,
    stores: parts.stores,
    xborderIdentifiers: parts.xborderIdentifiers,
    ready: parts.ready,
    reset: parts.reset,
    close: parts.close,
  };
}
