import type { ApContext } from '../ap/context.ts';
import type { StatusChange } from '../store/message-store.ts';

/**
 * Notifies the backend's webhook subscriptions of a status change: `POST <url>` with a JSON body
 * `{type: "edelivery.status", messageId, direction, status, previous, at, detail}`. Best effort, after the change
 * is committed: a notification that fails is logged, not retried (poll `GET /edelivery/messages/{id}` to be sure).
 */
export function notifyWebhooks(ctx: ApContext, change: StatusChange): void {
  let hooks: { id: string; url: string; events: string }[];
  try {
    hooks = ctx.store.webhooks();
  } catch {
    return;
  }
  for (const h of hooks) {
    const events = JSON.parse(h.events) as string[];
    if (events.length > 0 && !events.includes(change.status)) continue;
    void ctx.deps
      .fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kakehashi-caller': `node:${ctx.deps.country}` },
        body: JSON.stringify({ type: 'edelivery.status', subscription: h.id, ...change }),
        signal: AbortSignal.timeout(5000),
      })
      .then((r) => {
        if (!r.ok) ctx.deps.logger.warn('edelivery webhook refused', { subscription: h.id, status: r.status });
      })
      .catch((e: unknown) =>
        ctx.deps.logger.warn('edelivery webhook not delivered', {
          subscription: h.id,
          reason: e instanceof Error ? e.message : String(e),
        }),
      );
  }
}
