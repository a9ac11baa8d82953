import { runInFaultScope } from '@kakehashi/core';
import type { ApContext } from '../ap/context.ts';
import type { MessageRow } from '../store/message-store.ts';
import { type AttemptOutcome, sendAttempt } from './send-message.ts';

export interface PumpResult {
  attempted: number;
  acknowledged: number;
  retrying: number;
  failed: number;
}

/** Messages in flight at once to one receiving access point (its endpoint). */
export const PER_DESTINATION = 8;
/** Messages in flight at once from this access point, every destination together. */
export const IN_FLIGHT_MAX = 32;

/** A caller of `pump()`: resolved once what was due at its call has been attempted. */
interface Waiter {
  /** Messages this waiter waits for (claimed after its call). */
  pending: Set<string>;
  /** Still to see a scan of the due messages that left none behind for lack of room. */
  scan: boolean;
  result: PumpResult;
  resolve: (r: PumpResult) => void;
  reject: (e: unknown) => void;
}

/**
 * The sender loop: every outbound message whose next attempt is due on the virtual clock is claimed
 * (READY_TO_SEND / WAITING_FOR_RETRY → SEND_ENQUEUED in one transaction per scan → WAITING_FOR_RECEIPT once
 * signed, in one group commit per turn) and attempted, up to
 * {@link PER_DESTINATION} at once per receiving access point and {@link IN_FLIGHT_MAX} in all. The loop does not
 * wait for a batch to finish: as soon as one attempt ends, the next due message takes its place, so a slow receiver
 * holds up only its own slots. One loop runs per access point; a `pump()` asked for while it runs wakes it and
 * resolves once what was due at that call has been attempted (each message once per loop run: a retry due at once
 * waits for the next run, as it did when the loop went in rounds).
 */
export function createSenderLoop(ctx: ApContext) {
  const inFlight = new Map<string, string>(); // message id → destination
  const perDestination = new Map<string, number>();
  const waiters = new Set<Waiter>();
  let running = false;
  let wake: (() => void) | undefined;
  /**
   * When (virtual clock) each message was last attempted in this run, while it may still be due again: a retry due
   * no later than that (a zero delay on a clock that stands still) waits for the next run instead of spinning.
   */
  let attemptedAt = new Map<string, number>();

  const settle = () => {
    for (const w of waiters)
      if (!w.scan && w.pending.size === 0) {
        waiters.delete(w);
        w.resolve(w.result);
      }
  };

  const count = (id: string, outcome: AttemptOutcome) => {
    for (const w of waiters) {
      if (!w.pending.delete(id)) continue;
      if (outcome !== 'skipped') w.result.attempted++;
      if (outcome === 'acknowledged') w.result.acknowledged++;
      else if (outcome === 'retry') w.result.retrying++;
      else if (outcome === 'failed') w.result.failed++;
    }
  };

  const attempt = async (row: MessageRow): Promise<AttemptOutcome> => {
    try {
      // Each attempt in a fault scope of its own: a pump started by a request (a submission asking for a fault, an
      // admin pump) must not lend that request's faults to every message it sends.
      return await runInFaultScope({ requested: new Set(), fired: [] }, () => sendAttempt(ctx, row));
    } catch (e) {
      // An unexpected failure building the message: do not leave it stuck in SEND_ENQUEUED.
      ctx.deps.logger.error('edelivery send attempt failed', {
        messageId: row.message_id,
        reason: e instanceof Error ? e.message : String(e),
      });
      try {
        ctx.store.transition(row.message_id, 'out', ['SEND_ENQUEUED', 'WAITING_FOR_RECEIPT'], 'SEND_FAILURE', {
          last_error: `EBMS:0004 Other: the message could not be built (${e instanceof Error ? e.message.slice(0, 200) : 'error'})`,
        });
      } catch {
        // The store is gone (the node closed mid-attempt): crash recovery makes the message due again at the next
        // start (same MessageId), so nothing is lost; there is nobody left to tell.
      }
      return 'failed';
    }
  };

  /** Claims what is due and has room, starts it; true when nothing due was left behind for lack of room. */
  const scan = (): boolean => {
    const room = IN_FLIGHT_MAX - inFlight.size;
    if (room <= 0) return false;
    const due = ctx.store.due(ctx.deps.clock.nowMs(), room + PER_DESTINATION).filter((r) => {
      const at = attemptedAt.get(r.message_id);
      return at === undefined || (r.next_attempt_at ?? 0) > at;
    });
    const taken = new Map<string, number>();
    const chosen: typeof due = [];
    let full = false;
    for (const r of due) {
      const dest = r.endpoint ?? '';
      const n = (perDestination.get(dest) ?? 0) + (taken.get(dest) ?? 0);
      if (chosen.length >= room || n >= PER_DESTINATION) {
        full = true;
        continue;
      }
      taken.set(dest, (taken.get(dest) ?? 0) + 1);
      chosen.push(r);
    }
    if (due.length === room + PER_DESTINATION) full = true; // there may be more than one scan reads
    if (chosen.length === 0) return !full; // nothing to claim: no transaction
    // One transaction for the scan: the claims, and each attempt's synchronous start (its payloads read, its envelope
    // built up to the signature); the RSA signature runs on the thread pool, and WAITING_FOR_RECEIPT (attempt number,
    // digests) is recorded in the group commit of the attempts signed in the same turn, before the post.
    ctx.store.transaction(() => {
      const claimed = ctx.store.claim(
        chosen.map((r) => r.message_id),
        ['READY_TO_SEND', 'WAITING_FOR_RETRY'],
        'SEND_ENQUEUED',
      );
      for (const row of claimed) {
        const id = row.message_id;
        const dest = row.endpoint ?? '';
        inFlight.set(id, dest);
        perDestination.set(dest, (perDestination.get(dest) ?? 0) + 1);
        for (const w of waiters) w.pending.add(id);
        void attempt(row).then((outcome) => {
          if (outcome === 'retry' || outcome === 'skipped') attemptedAt.set(id, ctx.deps.clock.nowMs());
          else attemptedAt.delete(id);
          inFlight.delete(id);
          const left = (perDestination.get(dest) ?? 1) - 1;
          if (left > 0) perDestination.set(dest, left);
          else perDestination.delete(dest);
          count(id, outcome);
          wake?.();
        });
      }
    });
    return !full;
  };

  const run = async () => {
    running = true;
    attemptedAt = new Map();
    try {
      for (;;) {
        const scanned = [...waiters].filter((w) => w.scan);
        let complete: boolean;
        try {
          complete = scan();
        } catch (e) {
          // The store is gone (the node closed) or failed: no waiter waits for ever.
          for (const w of waiters) w.reject(e);
          waiters.clear();
          return;
        }
        if (complete) for (const w of scanned) w.scan = false;
        settle();
        if (inFlight.size === 0 && ![...waiters].some((w) => w.scan)) break;
        await new Promise<void>((res) => {
          wake = res;
        });
        wake = undefined;
      }
    } finally {
      running = false;
    }
  };

  /**
   * Runs the sender loop over everything due now; resolves when that has been attempted — the messages already in
   * flight at the call too (claimed by a run a submission started): a pump that returned while they were still
   * WAITING_FOR_RECEIPT would tell its caller nothing of them.
   */
  const pump = (): Promise<PumpResult> => {
    const p = new Promise<PumpResult>((resolve, reject) =>
      waiters.add({
        pending: new Set(inFlight.keys()),
        scan: true,
        result: { attempted: 0, acknowledged: 0, retrying: 0, failed: 0 },
        resolve,
        reject,
      }),
    );
    if (running) wake?.();
    else void run();
    return p;
  };
  return { pump, busy: () => running };
}
