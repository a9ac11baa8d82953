import { runInFaultScope } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import { sendAttempt } from './send-message.ts';

export interface PumpResult {
  attempted: number;
  acknowledged: number;
  retrying: number;
  failed: number;
}

const BATCH = 32;
const CONCURRENCY = 4;
const MAX_ROUNDS = 20;

/**
 * The sender loop: every outbound message whose next attempt is due on the virtual clock is claimed
 * (READY_TO_SEND / WAITING_FOR_RETRY → SEND_ENQUEUED, atomically) and attempted, a few at a time. One pump runs at
 * a time per access point; a pump asked for while one runs is queued once (coalesced).
 */
export function createSenderLoop(ctx: ApContext) {
  let current: Promise<PumpResult> | undefined;
  let queued: Promise<PumpResult> | undefined;

  const run = async (): Promise<PumpResult> => {
    const result: PumpResult = { attempted: 0, acknowledged: 0, retrying: 0, failed: 0 };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const due = ctx.store.due(ctx.deps.clock.nowMs(), BATCH);
      const claimed = due.filter((row) =>
        ctx.store.transition(row.message_id, 'out', ['READY_TO_SEND', 'WAITING_FOR_RETRY'], 'SEND_ENQUEUED'),
      );
      if (claimed.length === 0) break;
      let next = 0;
      const worker = async () => {
        while (next < claimed.length) {
          const row = claimed[next++];
          if (!row) break;
          const fresh = ctx.store.get(row.message_id, 'out');
          if (!fresh) continue;
          let outcome: Awaited<ReturnType<typeof sendAttempt>>;
          try {
            // Each attempt in a fault scope of its own: a pump started by a request (a submission asking for a
            // fault, an admin pump) must not lend that request's faults to every message it sends.
            outcome = await runInFaultScope({ requested: new Set(), fired: [] }, () => sendAttempt(ctx, fresh));
          } catch (e) {
            // An unexpected failure building the message: do not leave it stuck in SEND_ENQUEUED.
            ctx.deps.logger.error('edelivery send attempt failed', {
              messageId: row.message_id,
              reason: e instanceof Error ? e.message : String(e),
            });
            ctx.store.transition(row.message_id, 'out', ['SEND_ENQUEUED', 'WAITING_FOR_RECEIPT'], 'SEND_FAILURE', {
              last_error: `EBMS:0004 Other: the message could not be built (${e instanceof Error ? e.message.slice(0, 200) : 'error'})`,
            });
            outcome = 'failed';
          }
          if (outcome !== 'skipped') result.attempted++;
          if (outcome === 'acknowledged') result.acknowledged++;
          else if (outcome === 'retry') result.retrying++;
          else if (outcome === 'failed') result.failed++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, worker));
    }
    return result;
  };

  const start = (): Promise<PumpResult> => {
    current = run().finally(() => {
      current = undefined;
    });
    return current;
  };

  /** Runs the sender loop once over everything due now; resolves when done. */
  const pump = (): Promise<PumpResult> => {
    if (queued) return queued;
    if (!current) return start();
    queued = current
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return current ?? start();
      });
    return queued;
  };
  return { pump, busy: () => current !== undefined };
}
