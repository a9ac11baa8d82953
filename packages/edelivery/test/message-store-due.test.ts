import { openStore, VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { MessageStore } from '../src/store/message-store.ts';
import { AT } from './fixtures.ts';

/** An outbound message due at `at` (epoch ms), as a submission stores it. */
function row(id: string, at: number) {
  return {
    message_id: id,
    direction: 'out' as const,
    status: 'READY_TO_SEND' as const,
    pmode_id: 'p',
    service: 's',
    action: 'a',
    conversation_id: id,
    original_sender: null,
    final_recipient: null,
    from_party: 'DE',
    to_party: 'JP',
    header_json: '{}',
    content_hash: 'h',
    endpoint: 'http://jp.test/as4',
    peer_country: 'JP',
    peer_signing_cert: null,
    peer_encryption_cert: null,
    next_attempt_at: at,
    nr_references: null,
    receipt_xml: null,
    trace_parent: null,
  };
}

describe('AS4 message store: the due scan', () => {
  it('answers at most `limit` messages due now, oldest due first, whatever the limit asked (its SQL holds the limit)', () => {
    const store = openStore({ name: 'edelivery-due' });
    const clock = new VirtualClock();
    clock.freeze(AT);
    const ms = new MessageStore(store, clock);
    const now = clock.nowMs();
    for (const [id, at] of [
      ['c', now - 1],
      ['a', now - 3],
      ['later', now + 60_000],
      ['b', now - 2],
    ] as const)
      ms.insert(row(id, at), []);
    expect(ms.due(now, 10).map((r) => r.message_id)).toEqual(['a', 'b', 'c']);
    expect(ms.due(now, 2).map((r) => r.message_id)).toEqual(['a', 'b']);
    expect(ms.due(now, 1)).toEqual([{ message_id: 'a', endpoint: 'http://jp.test/as4', next_attempt_at: now - 3 }]);
    // A limit that is no count still answers one row at most (nothing but a positive integer reaches the SQL).
    expect(ms.due(now, 0).length).toBe(1);
    expect(ms.due(now, Number.NaN).length).toBe(1);
    expect(ms.due(now, 2.5).length).toBe(1);
    // Claimed messages are no longer due; a retry due now is, in order of due time then of submission.
    ms.claim(['a'], ['READY_TO_SEND'], 'SEND_ENQUEUED');
    expect(ms.due(now, 10).map((r) => r.message_id)).toEqual(['b', 'c']);
    ms.insert(row('tie', now - 2), []);
    ms.transition('a', 'out', ['SEND_ENQUEUED'], 'WAITING_FOR_RETRY', { next_attempt_at: now - 2 });
    expect(ms.due(now, 10).map((r) => r.message_id)).toEqual(['a', 'b', 'tie', 'c']);
    store.close();
  });

  it('reads the index of the messages waiting to be sent, in its order: no temporary b-tree to sort them', () => {
    const store = openStore({ name: 'edelivery-due-plan' });
    new MessageStore(store, new VirtualClock());
    const plan = store
      .all<{ detail: string }>(
        `EXPLAIN QUERY PLAN SELECT message_id FROM edelivery_messages INDEXED BY edelivery_messages_due_only
           WHERE direction = 'out' AND status IN ('READY_TO_SEND', 'WAITING_FOR_RETRY')
           AND next_attempt_at <= ? ORDER BY next_attempt_at, rowid LIMIT 40`,
        0,
      )
      .map((r) => r.detail);
    expect(plan.join(' | ')).toMatch(/USING INDEX edelivery_messages_due_only/);
    expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE/);
    store.close();
  });
});
