import type { ComponentDeps } from '@kakehashi/core';
import type { MessageStore, StatusChange } from '../store/message-store.ts';

/** A subscription as the dispatcher keeps it (read from the store once, again after a change of subscriptions). */
interface Subscription {
  id: string;
  url: string;
  events: Set<string>;
  batch: boolean;
  /** Changes waiting for the next post (batched subscriptions only). */
  queue: StatusChange[];
  /** Posts on their way. */
  posting: number;
  dropped: number;
}

/** Batched posts on their way at once to one subscription; the changes made meanwhile wait for the next. */
export const WEBHOOK_POSTS_IN_FLIGHT = 4;
/** Changes one batched post carries at most; more wait for the next post. */
export const WEBHOOK_BATCH_MAX = 500;
/** Changes a batched subscription keeps waiting at most; past it the oldest are dropped (and counted in the log). */
export const WEBHOOK_QUEUE_MAX = 10_000;

/** Notifies the backend's webhook subscriptions of status changes. */
export interface WebhookDispatcher {
  notify(change: StatusChange): void;
  /** The subscriptions changed (added, removed, reset): read them again before the next notification. */
  invalidate(): void;
  /** Resolves once every batched notification waiting now has been posted (or has failed). */
  drain(): Promise<void>;
}

/**
 * The backend's webhooks: each status change a subscription asked for is POSTed to its URL as JSON — one
 * `{type: "edelivery.status", subscription, messageId, direction, status, previous, at, detail}` per change, or, for a
 * subscription made with `batch: true`, `{type: "edelivery.status-batch", subscription, changes: [...]}` carrying
 * the changes committed since its previous post, in the order they were committed ({@link WEBHOOK_POSTS_IN_FLIGHT}
 * posts on their way at once per subscription, at most {@link WEBHOOK_BATCH_MAX} changes each; two posts on their
 * way together may arrive in either order — `at` orders the changes). Best effort, after the change is
 * committed: a notification that fails is logged, not retried (`GET /edelivery/messages/{id}` is the truth). The
 * subscriptions are read from the store once and again only after they change, not on every status change.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/Domibus (push notifications)
 */
export function createWebhookDispatcher(ctx: {
  deps: ComponentDeps & { country: string };
  store: MessageStore;
}): WebhookDispatcher {
  let subs: Subscription[] = [];
  let stale = true;
  const idle = new Set<() => void>();
  const caller = `node:${ctx.deps.country}`;

  const load = (): Subscription[] => {
    if (!stale) return subs;
    // A subscription that stays keeps what it has waiting; a removed one's waiting changes go with it.
    const previous = new Map(subs.map((s) => [s.id, s]));
    subs = ctx.store.webhooks().map((h) => {
      const events = new Set(JSON.parse(h.events) as string[]);
      const kept = previous.get(h.id);
      if (kept) return Object.assign(kept, { url: h.url, events, batch: h.batch === 1 });
      return { id: h.id, url: h.url, events, batch: h.batch === 1, queue: [], posting: 0, dropped: 0 };
    });
    stale = false;
    return subs;
  };

  const post = (s: Subscription, body: unknown): Promise<void> =>
    ctx.deps
      .fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kakehashi-caller': caller },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      })
      .then(async (r) => {
        await r.body?.cancel().catch(() => undefined);
        if (!r.ok) ctx.deps.logger.warn('edelivery webhook refused', { subscription: s.id, status: r.status });
      })
      .catch((e: unknown) =>
        ctx.deps.logger.warn('edelivery webhook not delivered', {
          subscription: s.id,
          reason: e instanceof Error ? e.message : String(e),
          ...(e instanceof Error && e.cause instanceof Error ? { cause: e.cause.message } : {}),
        }),
      );

  const settled = () => {
    if (subs.some((s) => s.posting > 0 || s.queue.length > 0)) return;
    for (const done of [...idle]) done();
    idle.clear();
  };

  const pump = (s: Subscription): void => {
    if (s.posting >= WEBHOOK_POSTS_IN_FLIGHT || s.queue.length === 0) return;
    s.posting++;
    const changes = s.queue.splice(0, WEBHOOK_BATCH_MAX);
    if (s.dropped > 0) {
      ctx.deps.logger.warn('edelivery webhook notifications dropped (the subscriber is too slow)', {
        subscription: s.id,
        count: s.dropped,
      });
      s.dropped = 0;
    }
    void post(s, { type: 'edelivery.status-batch', subscription: s.id, changes }).finally(() => {
      s.posting--;
      if (s.queue.length > 0) pump(s);
      else settled();
    });
  };

  return {
    notify(change) {
      let list: Subscription[];
      try {
        list = load();
      } catch {
        return; // the store is closed: the component is gone
      }
      for (const s of list) {
        if (s.events.size > 0 && !s.events.has(change.status)) continue;
        if (!s.batch) {
          void post(s, { type: 'edelivery.status', subscription: s.id, ...change });
          continue;
        }
        s.queue.push(change);
        if (s.queue.length > WEBHOOK_QUEUE_MAX) {
          s.queue.shift();
          s.dropped++;
        }
        // Posted on the next turn, so the changes of one turn (a batch of transitions) travel together.
        if (s.queue.length === 1) setImmediate(() => pump(s));
      }
    },
    invalidate() {
      stale = true;
    },
    drain() {
      if (!subs.some((s) => s.posting > 0 || s.queue.length > 0)) return Promise.resolve();
      return new Promise<void>((res) => idle.add(res));
    },
  };
}
