import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import type { CooperationNetworkParts } from '../network-parts.ts';
import '../error-codes.ts';
import { ADMIN_SECURITY, AgencyParam, okJson, partyOf, SubjectRowSchema } from '../route-support.ts';
import { JP_FAULTS } from './faults.ts';

const FaultName = z.enum(Object.keys(JP_FAULTS) as [string, ...string[]]);

/** Every fault with its switch and what it reproduces. */
const FaultsSchema = z
  .object({
    faults: z.array(
      z
        .object({
          name: FaultName,
          enabled: z.boolean(),
          incident: z.string().openapi({ description: 'The real incident it reproduces' }),
          whenOn: z.string().openapi({ description: 'What happens while it is on' }),
          safeguard: z.string().openapi({ description: 'What prevents or detects it while it is off' }),
        })
        .openapi('JpFault'),
    ),
  })
  .openapi('JpFaults');

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
 * Japan's incident faults (`JP_FAULTS`, all off by default) and the two leak simulations of property 11: what an
 * attacker walks away with from an agency's table or from the custodian's keys. Admin token. TEST ONLY.
 * @see ../../../../shared/design/jp-cooperation-network.md
 */
export function faultRoutes(p: FaultRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/faults',
      tags: ['jp-faults', 'admin'],
      summary: "Japan's incident faults (all off by default)",
      security: ADMIN_SECURITY,
      responses: { ...okJson(FaultsSchema), ...problemResponses(401) },
    }),
    (c) => c.json({ faults: p.faults.list() }, 200),
  );
  r.openapi(
    createRoute({
      method: 'put',
      path: '/admin/jp/faults/{name}',
      tags: ['jp-faults', 'admin'],
      summary: 'Switch one incident fault on or off',
      security: ADMIN_SECURITY,
      request: {
        params: z.object({
          name: FaultName.openapi({ param: { name: 'name', in: 'path' } }),
        }),
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ enabled: z.boolean() }).strict() } },
        },
      },
      responses: { ...okJson(FaultsSchema, 'Every fault after the switch'), ...problemResponses(400, 401, 404, 415) },
    }),
    (c) => {
      const { name } = c.req.valid('param');
      const { enabled } = c.req.valid('json');
      p.faults.set(name, enabled);
      p.deps.logger.warn('jp-network fault switched', { fault: name, enabled });
      return c.json({ faults: p.faults.list() }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/jp/incidents/agency-table-leak/{agencyId}',
      tags: ['jp-faults', 'admin'],
      summary: "Incident simulation: what an attacker copies out of an agency's table (fault agency-table-leak)",
      security: ADMIN_SECURITY,
      request: { params: AgencyParam },
      responses: { ...okJson(AgencyTableLeakSchema), ...problemResponses(401, 403, 404) },
    }),
    async (c) => {
      if (!p.faults.isOn('agency-table-leak'))
        throw new KakehashiError('jp-fault-off', 'Switch on the agency-table-leak fault to simulate the leak.');
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
      summary: "Incident simulation: the network's raw link and master keys (fault network-key-leak)",
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
