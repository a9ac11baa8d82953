import type { ComponentApp } from '@kakehashi/core';
import { accessPointAdminRoutes } from './admin/routes.ts';
import { inboxRoutes, messageRoutes, webhookRoutes } from './backend/routes.ts';
import { createWebhookDispatcher } from './backend/webhooks.ts';
import './error-codes.ts';
import type { AccessPointDeps, ApContext } from './ap/context.ts';
import { EDELIVERY_FAULTS } from './ap/faults.ts';
import { accessPointPartyId } from './message/ns.ts';
import { defaultPModes, loadPModes } from './pmode/load-pmodes.ts';
import type { PMode } from './pmode/z-pmode.ts';
import { as4Routes } from './receiver/routes.ts';
import { createSenderLoop, type PumpResult } from './sender/sender-loop.ts';
import { MessageStore } from './store/message-store.ts';

/** A mounted access point: drive its sender loop, change its P-Modes, stop its timer (faults: `/admin/faults`). */
export interface AccessPoint {
  /** The ebMS party id of this access point, e.g. `kakehashi-ap-de`. */
  partyId: string;
  store: MessageStore;
  /** Sends everything due now on the virtual clock (resolves when done). Deterministic driver for tests. */
  pump(): Promise<PumpResult>;
  pmodes(): PMode[];
  /** Replaces the P-Modes (validated, then persisted in the store). */
  setPModes(input: unknown): PMode[];
  /** Starts the real-time timer that pumps due messages (no-op when pollIntervalMs is 0). */
  startPolling(): void;
  stop(): void;
  /** Clears messages, payloads, history, webhooks and runtime P-Modes (admin reset; the faults reset with the component). */
  reset(): void;
}

const PMODES_KEY = 'pmodes';
const TABLES = [
  'edelivery_messages',
  'edelivery_message_bodies',
  'edelivery_payloads',
  'edelivery_events',
  'edelivery_webhooks',
  'edelivery_settings',
] as const;

/**
 * Mounts the eDelivery access point of a node (corners 2 and 3 of the four-corner model): the AS4 endpoint
 * `POST /as4`, the backend API under `/edelivery/*` and its admin routes under `/admin/edelivery/*` — each a route
 * module. This function only wires: the message store, the P-Modes (persisted), the access point's faults (offered
 * on the component's `/admin/faults`), the sender loop and its timer. Crash recovery runs here: messages caught mid-send by a crash are made due again (same MessageId).
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html
 */
export function mountAccessPoint(app: ComponentApp, deps: AccessPointDeps): AccessPoint {
  const store = new MessageStore(deps.store, deps.clock);
  const partyId = accessPointPartyId(deps.country);
  const initialPModes = () =>
    loadPModes(deps.pmodes ?? defaultPModes({ parties: deps.countries.map((c) => accessPointPartyId(c)) }));
  const stored = store.setting(PMODES_KEY);
  let pmodes = stored ? loadPModes(JSON.parse(stored)) : initialPModes();
  deps.faults.offer(EDELIVERY_FAULTS);
  let kickScheduled = false;
  let stopped = false;
  const webhooks = createWebhookDispatcher({ deps, store });
  const ctx: ApContext = {
    deps,
    store,
    webhooks,
    partyId,
    pmodes: () => pmodes,
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
  store.onChange = (change) => webhooks.notify(change);
  const recovered = store.recoverInFlight(deps.clock.nowMs());
  if (recovered > 0)
    deps.logger.info('edelivery: messages in flight at the last stop are due again', { count: recovered });

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
        for (const t of TABLES) store.store.run(`DELETE FROM ${t}`);
      });
      webhooks.invalidate();
      pmodes = initialPModes();
    },
  };

  app.route('/', as4Routes(ctx));
  app.route('/', messageRoutes(ctx));
  app.route('/', inboxRoutes(ctx));
  app.route('/', webhookRoutes(ctx));
  app.route('/', accessPointAdminRoutes(deps, ap));
  ap.startPolling();
  return ap;
}
