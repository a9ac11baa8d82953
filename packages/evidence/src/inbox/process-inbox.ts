import type { EvidenceContext } from '../context.ts';
import type { InboxMessage } from '../node-api/node-api.ts';
import { handleQueryRequest } from '../provider/handle-query-request.ts';
import { ACTION_REQUEST, ACTION_RESPONSE, EVIDENCE_SERVICE, REGREP_MIME } from '../regrep/ns.ts';
import { handleQueryResponse } from '../requester/handle-query-response.ts';

/** The block's side of the node's eDelivery inbox: webhook subscription and serialised processing. */
export interface EvidenceInbox {
  /** Takes every evidence message waiting in the inbox and handles it (one run at a time; a call during a run
   * queues one more run). Resolves with the number of messages handled. */
  process(): Promise<number>;
  /**
   * Handles the messages a webhook notification named (received, RECEIVED) — each read on its own, never by
   * listing the inbox; a full listing still runs when none has for {@link SWEEP_INTERVAL_MS}, so a message whose
   * notification was lost (webhooks are best effort) is handled all the same. Resolves with the number handled.
   */
  notified(messageIds: readonly string[]): Promise<number>;
  /**
   * Whether the block takes a message with this routing metadata (RegRep of the evidence service, first payload
   * `application/x-ebrs+xml`, for one of its participants): a notification's other messages are not read at all.
   */
  takes(m: Pick<InboxMessage, 'service' | 'finalRecipient'> & { payloads: readonly { mimeType: string }[] }): boolean;
  /** Subscribes to the node's eDelivery webhooks (idempotent). */
  ensureSubscribed(): Promise<void>;
  /** Subscribes soon, retrying quietly while the node's own origin does not answer yet, then processes. */
  subscribeSoon(): void;
  /** Forgets the subscription (the eDelivery reset drops webhooks) and subscribes again. */
  resubscribe(): void;
  /** Stops processing and retries (the node is closing; its stores go next). */
  stop(): void;
}

/** Attempts before a message that keeps failing is acknowledged and dropped. */
const MAX_ATTEMPTS = 3;
/** Real time after which a notification brings a full listing of the inbox along (lost notifications). */
export const SWEEP_INTERVAL_MS = 30_000;

/**
 * The inbox processing of the once-only exchange: webhook-driven (`POST /evidence/inbound`), on demand
 * (`POST /admin/evidence/process`, a `GET` of a request), serialised. Only RegRep messages of the evidence
 * service addressed to one of this node's participants are taken; the rest stay for their own backend.
 */
export function createInbox(ctx: EvidenceContext, inboundUrl: string): EvidenceInbox {
  const { api, deps } = ctx;
  const log = deps.logger;
  const failures = new Map<string, number>();
  let running: Promise<number> | undefined;
  let again = false;
  /** Messages named by notifications, not handled yet. */
  const named = new Set<string>();
  /** Named messages that failed transiently: named again on the next run, not retried at once. */
  const retry = new Set<string>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  let stopped = false;
  let subscribed = false;

  const handleOne = async (m: Awaited<ReturnType<typeof api.inbox>>[number]) => {
    const first = m.payloads[0];
    const xml = first ? await api.download(deps.fetch, m.messageId, first.cid) : '';
    if (m.action === ACTION_REQUEST) await handleQueryRequest(ctx, m, xml);
    else if (m.action === ACTION_RESPONSE)
      await handleQueryResponse(ctx, m, xml, async (cid) =>
        m.payloads.some((p) => p.cid === cid) ? api.download(deps.fetch, m.messageId, cid) : undefined,
      );
    await api.ack(deps.fetch, m.messageId);
  };

  /** Evidence messages this block takes: RegRep (`application/x-ebrs+xml` first) for one of its participants. */
  const ours = (m: Pick<InboxMessage, 'service' | 'finalRecipient'> & { payloads: readonly { mimeType: string }[] }) =>
    m.service === EVIDENCE_SERVICE && ctx.participant(m.finalRecipient) && m.payloads[0]?.mimeType === REGREP_MIME;

  const handle = async (messages: InboxMessage[]): Promise<number> => {
    let handled = 0;
    for (const m of messages) {
      try {
        await handleOne(m);
        failures.delete(m.messageId);
        handled++;
      } catch (e) {
        // A transient failure (our own node busy): try again on the next run; give up after a few attempts.
        const n = (failures.get(m.messageId) ?? 0) + 1;
        failures.set(m.messageId, n);
        log.warn('evidence message not handled', {
          messageId: m.messageId,
          attempt: n,
          reason: e instanceof Error ? e.message : String(e),
        });
        if (n >= MAX_ATTEMPTS) {
          await api.ack(deps.fetch, m.messageId).catch(() => undefined);
          failures.delete(m.messageId);
        } else retry.add(m.messageId);
      }
    }
    return handled;
  };

  /** Every evidence message waiting in the inbox (a listing). */
  const sweep = async (): Promise<number> => {
    lastSweep = performance.now();
    named.clear();
    return handle((await api.inbox(deps.fetch)).filter(ours));
  };

  /** The messages notifications named, each read on its own (still RECEIVED: not handled by an earlier run). */
  const handleNamed = async (): Promise<number> => {
    const ids = [...named];
    named.clear();
    const messages: InboxMessage[] = [];
    for (const id of ids) {
      const m = await api.received(deps.fetch, id);
      if (m && m.status === 'RECEIVED' && ours(m)) messages.push(m);
    }
    return handle(messages);
  };

  let full = false;
  const run = (wantFull: boolean): Promise<number> => {
    if (stopped) return Promise.resolve(0);
    if (wantFull) full = true;
    if (running) {
      again = true;
      return running;
    }
    for (const id of retry) named.add(id);
    retry.clear();
    running = (async () => {
      let total = 0;
      do {
        again = false;
        const sweepNow = full || performance.now() - lastSweep > SWEEP_INTERVAL_MS;
        full = false;
        total += sweepNow ? await sweep() : await handleNamed();
      } while ((again || named.size > 0) && !stopped);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const process = (): Promise<number> => run(true);
  const notified = (ids: readonly string[]): Promise<number> => {
    for (const id of ids) named.add(id);
    return run(false);
  };

  const ensureSubscribed = async (): Promise<void> => {
    if (subscribed) return;
    const hooks = await api.webhooks(deps.fetch);
    if (!hooks.some((h) => h.url === inboundUrl)) await api.subscribe(deps.fetch, inboundUrl);
    subscribed = true;
  };

  /** At start the node's own origin may not answer yet (listen mode): retry a few times, quietly. */
  const subscribeSoon = (attempt = 0): void => {
    setTimeout(
      () => {
        if (stopped) return;
        ensureSubscribed()
          .then(() => process())
          .catch(() => {
            if (attempt < 40) subscribeSoon(attempt + 1);
            else log.warn('evidence: could not subscribe to the eDelivery webhooks; POST /admin/evidence/process');
          });
      },
      attempt === 0 ? 0 : 500,
    ).unref();
  };

  return {
    process,
    notified,
    takes: (m) => Boolean(ours(m)),
    ensureSubscribed,
    subscribeSoon: () => subscribeSoon(),
    resubscribe: () => {
      subscribed = false;
      subscribeSoon();
    },
    stop: () => {
      stopped = true;
    },
  };
}
