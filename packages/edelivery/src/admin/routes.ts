import { createRoute, z } from '@hono/zod-openapi';
import { adminAuth, type ComponentApp, createRouteModule, problemResponses, requireJson } from '@kakehashi/core';
import type { AccessPointDeps } from '../ap/context.ts';
import '../error-codes.ts';
import { type PMode, PModeSchema } from '../pmode/z-pmode.ts';
import type { PumpResult } from '../sender/sender-loop.ts';

/** What the admin routes drive: the access point's sender loop and P-Modes (its faults: `/admin/faults`). */
export interface AccessPointAdmin {
  pump(): Promise<PumpResult>;
  pmodes(): PMode[];
  setPModes(input: unknown): PMode[];
}

const security = [{ adminToken: [] }];
const tags = ['admin', 'edelivery'];
/** The P-Modes in force (defaults filled in). */
const PModesState = z.object({ pmodes: z.array(PModeSchema.openapi('EdeliveryPMode')) }).openapi('EdeliveryPModes');
/**
 * The P-Modes to load. The loader checks them (each against its schema, then ids, overlaps and retry horizons,
 * with errors that name the P-Mode), so the route takes any objects; the document gives the P-Mode's input
 * schema (members with defaults may be left out).
 */
const { $schema: _dialect, ...PMODE_INPUT } = z.toJSONSchema(PModeSchema, { io: 'input' });
const PModesBody = z
  .object({ pmodes: z.array(z.record(z.string(), z.unknown()).openapi(PMODE_INPUT as never)) })
  .openapi('EdeliveryPModesInput');
/**
 * The access point's admin routes under `/admin/edelivery/*` (admin token): run the sender loop now on the
 * virtual clock, read and replace the P-Modes. Its faults (receipts, outage, bad messages sent) are switched on the
 * component's one fault surface, `PUT /admin/faults` (see `../ap/faults.ts`).
 */
export function accessPointAdminRoutes(deps: AccessPointDeps, ap: AccessPointAdmin): ComponentApp {
  const r = createRouteModule();
  r.use('/admin/edelivery/*', adminAuth(deps));
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/edelivery/pump',
      tags,
      security,
      summary: 'Run the sender loop now over every message due on the virtual clock (deterministic driver)',
      responses: {
        200: {
          description: 'What the pump did',
          content: {
            'application/json': {
              schema: z.object({
                attempted: z.number(),
                acknowledged: z.number(),
                retrying: z.number(),
                failed: z.number(),
              }),
            },
          },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => c.json(await ap.pump(), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/admin/edelivery/pmodes',
      tags,
      security,
      summary: 'The P-Modes in force',
      responses: {
        200: { description: 'P-Modes', content: { 'application/json': { schema: PModesState } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ pmodes: ap.pmodes() }, 200),
  );
  r.openapi(
    createRoute({
      method: 'put',
      path: '/admin/edelivery/pmodes',
      tags,
      security,
      summary: 'Replace the P-Modes (validated at load, persisted across restarts)',
      request: { body: { required: true, content: { 'application/json': { schema: PModesBody } } } },
      responses: {
        200: { description: 'P-Modes in force', content: { 'application/json': { schema: PModesState } } },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const next = ap.setPModes(c.req.valid('json').pmodes);
      return c.json({ pmodes: next }, 200);
    },
  );
  return r;
}
