import { createRoute, z } from '@hono/zod-openapi';
import {
  adminAuth,
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  problemResponses,
  requireJson,
} from '@kakehashi/core';
import {
  type AccessPointDeps,
  RECEIPT_FAULTS,
  RECEIVER_FAULTS,
  type ReceiptFault,
  type ReceiverFault,
} from '../ap/context.ts';
import '../error-codes.ts';
import { type PMode, PModeSchema } from '../pmode/z-pmode.ts';
import type { PumpResult } from '../sender/sender-loop.ts';

/** What the admin routes drive: the access point's sender loop, P-Modes and switchable faults. */
export interface AccessPointAdmin {
  pump(): Promise<PumpResult>;
  pmodes(): PMode[];
  setPModes(input: unknown): PMode[];
  setFault(fault: ReceiptFault): void;
  setReceiverFault(fault: ReceiverFault): void;
  /** The faults in force. */
  faults(): { receipt: ReceiptFault; receiver: ReceiverFault };
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
const FaultBody = z
  .object({ receipt: z.enum(RECEIPT_FAULTS).optional(), receiver: z.enum(RECEIVER_FAULTS).optional() })
  .openapi('EdeliveryFaults');
const FaultState = z
  .object({ receipt: z.enum(RECEIPT_FAULTS), receiver: z.enum(RECEIVER_FAULTS) })
  .openapi('EdeliveryFaultState');

/**
 * The access point's admin routes under `/admin/edelivery/*` (admin token): run the sender loop now on the
 * virtual clock, read and replace the P-Modes, switch the receiving-side faults (attack catalogue E1/E2).
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
  r.openapi(
    createRoute({
      method: 'put',
      path: '/admin/edelivery/faults',
      tags,
      security,
      summary:
        'Switch a receiving-side fault (test senders against E1/E2): receipts unsigned, signed by a non-partner, with a wrong digest or RefToMessageId, or no receipt at all; or an outage (receiver: receiver-unavailable → /as4 answers 503)',
      request: { body: { required: true, content: { 'application/json': { schema: FaultBody } } } },
      responses: {
        200: { description: 'Faults in force', content: { 'application/json': { schema: FaultState } } },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const b = c.req.valid('json');
      if (!b.receipt && !b.receiver)
        throw new KakehashiError('validation-failed', 'Give "receipt" and/or "receiver" (the fault to switch).');
      if (b.receipt) ap.setFault(b.receipt);
      if (b.receiver) ap.setReceiverFault(b.receiver);
      const now = ap.faults();
      deps.logger.warn('edelivery fault switched', now);
      return c.json(now, 200);
    },
  );
  return r;
}
