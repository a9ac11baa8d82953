import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import type { CooperationNetworkParts } from '../network-parts.ts';
import '../error-codes.ts';
import { ADMIN_SECURITY, AgencyParam, okJson, partyOf, SubjectRowSchema } from '../route-support.ts';

/** What an attacker copies out of an agency's table: its own rows and data items, no cross-agency key. */
const AgencyTableLeakSchema = z.object({
  agencyId: z.string(),
  subjects: z.array(SubjectRowSchema),
  data: z.array(
    z.object({
      internal_id: z.string(),
      item: z.string(),
      value: z.string().openapi({ description: 'The data item, as JSON text' }),
    }),
  ),
});

/** The network's raw keys (base64url) — what the network key leak hands an attacker. */
const NetworkKeyLeakSchema = z.object({ link: z.string(), master: z.string(), masterVersion: z.number().int() });

/** What the fault and incident routes need. */
export type FaultRouteDeps = Pick<CooperationNetworkParts, 'deps' | 'faults' | 'custodian' | 'parties' | 'ready'>;

/**
 * The two leak simulations of property 11: what an attacker walks away with from an agency's table or from the
 * custodian's keys, each only while its incident fault is on (`jp.agency-table-leak`, `jp.network-key-leak`,
 * switched with `PUT /admin/faults` like every fault). Admin token. TEST ONLY.
 * @see ../../../../shared/design/jp-cooperation-network.md
 */
export function faultRoutes(p: FaultRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/incidents/agency-table-leak/{agencyId}',
      tags: ['jp-faults', 'admin'],
      summary: "Incident simulation: what an attacker copies out of an agency's table (fault jp.agency-table-leak)",
      security: ADMIN_SECURITY,
      request: { params: AgencyParam },
      responses: { ...okJson(AgencyTableLeakSchema), ...problemResponses(401, 403, 404) },
    }),
    async (c) => {
      if (!p.faults.isOn('agency-table-leak'))
        throw new KakehashiError(
          'jp-fault-off',
          'Switch on the fault jp.agency-table-leak (PUT /admin/faults) to simulate the leak.',
        );
      await p.ready();
      const party = partyOf(p.parties, c.req.valid('param').agencyId);
      p.deps.logger.warn('jp-network incident: agency table exported', { agencyId: party.agency.id });
      const data = party.store.all<{ internal_id: string; item: string; value: string }>(
        'SELECT * FROM ag_data ORDER BY internal_id, item',
      );
      return c.json({ agencyId: party.agency.id, subjects: party.subjects(), data }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/incidents/network-key-leak',
      tags: ['jp-faults', 'admin'],
      summary: "Incident simulation: the network's raw link and master keys (fault jp.network-key-leak)",
      security: ADMIN_SECURITY,
      responses: { ...okJson(NetworkKeyLeakSchema), ...problemResponses(401, 403) },
    }),
    (c) => {
      const leaked = p.custodian.exportForIncidentSimulation(
        'incident/network-key-leak',
        p.faults.isOn('network-key-leak'),
      );
      p.deps.logger.warn('jp-network incident: custodian keys exported');
      return c.json(leaked, 200);
    },
  );
  return r;
}
