import { createRoute, z } from '@hono/zod-openapi';
import {
  adminAuth,
  type ComponentApp,
  documentRoute,
  KakehashiError,
  problemResponses,
  requireJson,
} from '@kakehashi/core';
import { mountBackendApi } from '../backend/mount-backend-api.ts';
import { notifyWebhooks } from '../backend/webhooks.ts';
import { buildSoapFault } from '../message/build-signal.ts';
import { accessPointPartyId } from '../message/ns.ts';
import { SOAP_CONTENT_TYPE } from '../mime/multipart.ts';
import { defaultPModes, loadPModes } from '../pmode/load-pmodes.ts';
import type { PMode } from '../pmode/z-pmode.ts';
import { receiveMessage } from '../receiver/receive-message.ts';
import { createSenderLoop, type PumpResult } from '../sender/sender-loop.ts';
import { MessageStore } from '../store/message-store.ts';
import {
  type AccessPointDeps,
  type ApContext,
  RECEIPT_FAULTS,
  RECEIVER_FAULTS,
  type ReceiptFault,
  type ReceiverFault,
} from './context.ts';
import { recordHop } from './record-trace.ts';

/** A mounted access point: drive its sender loop, change its P-Modes and faults, stop its timer. */
export interface AccessPoint {
  /** The ebMS party id of this access point, e.g. `kakehashi-ap-de`. */
  partyId: string;
  store: MessageStore;
  /** Sends everything due now on the virtual clock (resolves when done). Deterministic driver for tests. */
  pump(): Promise<PumpResult>;
  pmodes(): PMode[];
  /** Replaces the P-Modes (validated, then persisted in the store). */
  setPModes(input: unknown): PMode[];
  setFault(fault: ReceiptFault): void;
  /** `receiver-unavailable`: `/as4` answers 503 (an outage) until set back to `none`. */
  setReceiverFault(fault: ReceiverFault): void;
  /** Starts the real-time timer that pumps due messages (no-op when pollIntervalMs is 0). */
  startPolling(): void;
  stop(): void;
  /** Clears messages, payloads, history, webhooks, runtime P-Modes and faults (admin reset). */
  reset(): void;
}

const PMODES_KEY = 'pmodes';
const FAULT_KEY = 'receipt-fault';
const RECEIVER_FAULT_KEY = 'receiver-fault';

/**
 * Mounts the eDelivery access point of a node (corners 2 and 3 of the four-corner model): the AS4 endpoint
 * `POST /as4`, the backend API under `/edelivery/*` and its admin routes under `/admin/edelivery/*`.
 * Crash recovery runs here: messages caught mid-send by a crash are made due again (same MessageId).
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html
 */
export function mountAccessPoint(app: ComponentApp, deps: AccessPointDeps): AccessPoint {
  const store = new MessageStore(deps.store, deps.clock);
  const partyId = accessPointPartyId(deps.country);
  const stored = store.setting(PMODES_KEY);
  let pmodes = loadPModes(
    stored
      ? JSON.parse(stored)
      : (deps.pmodes ?? defaultPModes({ parties: deps.countries.map((c) => accessPointPartyId(c)) })),
  );
  let fault: ReceiptFault = (store.setting(FAULT_KEY) as ReceiptFault | undefined) ?? 'none';
  let receiverFault: ReceiverFault = (store.setting(RECEIVER_FAULT_KEY) as ReceiverFault | undefined) ?? 'none';
  let kickScheduled = false;
  let stopped = false;
  const ctx: ApContext = {
    deps,
    store,
    partyId,
    pmodes: () => pmodes,
    fault: () => fault,
    kick: () => {
      if (kickScheduled || stopped) return;
      kickScheduled = true;
      setImmediate(() => {
        kickScheduled = false;
        if (stopped) return;
        loop.pump().catch((e: unknown) => {
          // A pump still running when the node closed finds its store gone: nothing to report.
          if (!stopped)
            deps.logger.warn('edelivery pump failed', { reason: e instanceof Error ? e.message : String(e) });
        });
      });
    },
  };
  const loop = createSenderLoop(ctx);
  store.onChange = (change) => notifyWebhooks(ctx, change);
  const recovered = store.recoverInFlight(deps.clock.nowMs());
  if (recovered > 0)
    deps.logger.info('edelivery: messages in flight at the last stop are due again', { count: recovered });

  // ---- AS4 endpoint (answers SOAP, never problem+json) ---------------------------------------------------
  app.post('/as4', async (c) => {
    if (receiverFault === 'receiver-unavailable') {
      // Fault on: an outage. A transient SOAP Fault, so the sender's reception awareness resends later.
      const reason = 'The receiving access point is unavailable (fault receiver-unavailable is on). Retry later.';
      recordHop(ctx, c.get('trace'), {
        operation: 'edelivery: SOAP fault',
        direction: 'internal',
        status: 503,
        artefact: { type: 'soap:Fault', code: 'Receiver', reason, fault: 'receiver-unavailable' },
        verdict: { valid: false, checks: [reason] },
      });
      return c.body(buildSoapFault('Receiver', reason), 503, { 'content-type': `${SOAP_CONTENT_TYPE}; charset=UTF-8` });
    }
    const body = Buffer.from(await c.req.arrayBuffer());
    const res = await receiveMessage(ctx, c.req.header('content-type') ?? '', body, c.get('trace'), c.get('fetch'));
    return c.body(res.body, res.status as 200, { 'content-type': res.contentType });
  });
  documentRoute(app, {
    method: 'post',
    path: '/as4',
    tags: ['edelivery'],
    summary:
      'AS4 endpoint (ebMS 3.0 push, SOAP 1.2 with attachments): answers a signed Receipt or an ebMS Error signal',
    description:
      'Body: multipart/related; type="application/soap+xml" (SOAP with Attachments) signed and encrypted per the eDelivery AS4 1.15 profile. The answer is SOAP 1.2: a Receipt with non-repudiation information, an eb:Error signal (HTTP 200), or a SOAP Fault (HTTP 400/415/500/503) for requests that are not ebMS messages.',
    produces: 'application/soap+xml',
  });

  mountBackendApi(app, ctx);

  // ---- admin: pump, P-Modes, faults ----------------------------------------------------------------------
  app.use('/admin/edelivery/*', adminAuth(deps));
  const security = [{ adminToken: [] }];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/edelivery/pump',
      tags: ['admin', 'edelivery'],
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
    async (c) => c.json(await loop.pump(), 200),
  );
  const PModesBody = z.object({ pmodes: z.array(z.record(z.string(), z.unknown())) }).openapi('EdeliveryPModes');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/edelivery/pmodes',
      tags: ['admin', 'edelivery'],
      security,
      summary: 'The P-Modes in force',
      responses: {
        200: { description: 'P-Modes', content: { 'application/json': { schema: PModesBody } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ pmodes: pmodes as unknown as Record<string, unknown>[] }, 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/edelivery/pmodes',
      tags: ['admin', 'edelivery'],
      security,
      summary: 'Replace the P-Modes (validated at load, persisted across restarts)',
      request: { body: { required: true, content: { 'application/json': { schema: PModesBody } } } },
      responses: {
        200: { description: 'P-Modes in force', content: { 'application/json': { schema: PModesBody } } },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      requireJson(c.req.header('content-type'));
      const next = ap.setPModes(c.req.valid('json').pmodes);
      return c.json({ pmodes: next as unknown as Record<string, unknown>[] }, 200);
    },
  );
  const FaultBody = z
    .object({ receipt: z.enum(RECEIPT_FAULTS).optional(), receiver: z.enum(RECEIVER_FAULTS).optional() })
    .openapi('EdeliveryFaults');
  const FaultState = z
    .object({ receipt: z.enum(RECEIPT_FAULTS), receiver: z.enum(RECEIVER_FAULTS) })
    .openapi('EdeliveryFaultState');
  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/edelivery/faults',
      tags: ['admin', 'edelivery'],
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
      deps.logger.warn('edelivery fault switched', { receipt: fault, receiver: receiverFault });
      return c.json({ receipt: fault, receiver: receiverFault }, 200);
    },
  );

  let timer: NodeJS.Timeout | undefined;
  const ap: AccessPoint = {
    partyId,
    store,
    pump: () => loop.pump(),
    pmodes: () => pmodes,
    setPModes: (input) => {
      const next = loadPModes(input);
      store.setSetting(PMODES_KEY, JSON.stringify(next));
      pmodes = next;
      deps.logger.info('edelivery P-Modes replaced', { ids: next.map((p) => p.id) });
      return next;
    },
    setFault: (f) => {
      if (!RECEIPT_FAULTS.includes(f))
        throw new KakehashiError('validation-failed', `Unknown fault ${String(f).slice(0, 40)}.`);
      fault = f;
      store.setSetting(FAULT_KEY, f);
    },
    setReceiverFault: (f) => {
      if (!RECEIVER_FAULTS.includes(f))
        throw new KakehashiError('validation-failed', `Unknown fault ${String(f).slice(0, 40)}.`);
      receiverFault = f;
      store.setSetting(RECEIVER_FAULT_KEY, f);
    },
    startPolling: () => {
      const every = deps.pollIntervalMs ?? 250;
      if (timer || every <= 0) return;
      timer = setInterval(() => {
        if (loop.busy()) return;
        try {
          if (store.due(deps.clock.nowMs(), 1).length === 0) return;
        } catch {
          ap.stop(); // the store was closed: the component is gone
          return;
        }
        loop
          .pump()
          .catch((e: unknown) =>
            deps.logger.warn('edelivery pump failed', { reason: e instanceof Error ? e.message : String(e) }),
          );
      }, every);
      timer.unref();
    },
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    reset: () => {
      store.transaction(() => {
        for (const t of [
          'edelivery_messages',
          'edelivery_payloads',
          'edelivery_events',
          'edelivery_webhooks',
          'edelivery_settings',
        ])
          store.store.run(`DELETE FROM ${t}`);
      });
      pmodes = loadPModes(deps.pmodes ?? defaultPModes({ parties: deps.countries.map((c) => accessPointPartyId(c)) }));
      fault = 'none';
      receiverFault = 'none';
    },
  };
  ap.startPolling();
  return ap;
}
