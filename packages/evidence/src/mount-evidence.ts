import { type ComponentApp, createHubClient } from '@kakehashi/core';
import { createPreviewLogin } from './consent/preview-login.ts';
import { PreviewStore } from './consent/preview-store.ts';
import { consentRoutes } from './consent/routes.ts';
import { createContext } from './context.ts';
import type { EvidenceDeps } from './deps.ts';
import './error-codes.ts';
import { EVIDENCE_FAULTS } from './faults/faults.ts';
import { createDirectoryClient } from './hub/directory-client.ts';
import { createInbox } from './inbox/process-inbox.ts';
import { inboxRoutes } from './inbox/routes.ts';
import { NodeApi } from './node-api/node-api.ts';
import { RequestStore } from './requester/request-store.ts';
import { requesterRoutes } from './requester/routes.ts';
import { EVIDENCE_MIGRATIONS } from './store/migrations.ts';

/** What `mountEvidence` returns to the node. */
export interface EvidenceBlock {
  /** Takes every evidence message waiting in the node's eDelivery inbox and handles it (serialised). */
  processInbox(): Promise<number>;
  /** Subscribes the block to the node's eDelivery webhooks (idempotent; retried while the node is not up). */
  ensureSubscribed(): Promise<void>;
  /** Clears requests and previews (`POST /admin/reset`). */
  reset(): void;
  /** Stops inbox processing and subscription retries (the node is closing; its stores go next). */
  stop(): void;
}

/**
 * Mounts the once-only evidence exchange on a national node: the requester side (a service asks for evidence:
 * evidence broker and data service directory at the hub, a RegRep 4 QueryRequest over AS4 through the node's
 * eDelivery backend, the QueryResponse and its signature validated by the node's signature service), the
 * provider side (the request taken from the eDelivery inbox, the person matched through the country's
 * registers, the evidence built and signed by the issuing agency through the node's signature service) and the
 * consent between them (sent only after the citizen re-authenticated at the provider and approved the preview).
 * Construction only: stores, clients and the three route modules.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents
 * @see https://docs.oasis-open.org/regrep/regrep-core/v4.0/os/regrep-core-rs-v4.0-os.html
 */
export function mountEvidence(app: ComponentApp, deps: EvidenceDeps): EvidenceBlock {
  deps.store.migrate(EVIDENCE_MIGRATIONS);
  deps.faults.offer(EVIDENCE_FAULTS);
  const caller = `node:${deps.country}`;
  const requests = new RequestStore(deps.store, deps.clock);
  const previews = new PreviewStore(deps.store, deps.clock);
  const ctx = createContext(deps, {
    api: new NodeApi(deps),
    hub: createHubClient({ hubUrl: deps.hubUrl, fetch: deps.fetch, caller, timeoutMs: 15_000 }),
    directory: createDirectoryClient({ hubUrl: deps.hubUrl, caller }),
    previews,
    requests,
  });
  const inbox = createInbox(ctx, `${deps.publicUrl}/evidence/inbound`);
  inbox.subscribeSoon();

  app.route('/', inboxRoutes({ inbox, logger: deps.logger }));
  app.route('/', requesterRoutes(ctx, inbox));
  app.route('/', consentRoutes(ctx, createPreviewLogin(ctx)));

  return {
    processInbox: inbox.process,
    ensureSubscribed: inbox.ensureSubscribed,
    stop: inbox.stop,
    reset: () => {
      requests.clear();
      previews.clear();
      // The eDelivery reset drops the webhook subscriptions too.
      inbox.resubscribe();
    },
  };
}
