import { createMemoryLogger } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import type { EvidenceContext } from '../src/context.ts';
import { createInbox } from '../src/inbox/process-inbox.ts';
import { receivedIn } from '../src/inbox/routes.ts';
import type { InboxMessage } from '../src/node-api/node-api.ts';
import { EVIDENCE_SERVICE, REGREP_MIME } from '../src/regrep/ns.ts';

const ours = (id: string): InboxMessage => ({
  messageId: id,
  conversationId: id,
  service: EVIDENCE_SERVICE,
  action: 'SomethingElse', // handled by neither side: downloaded, then acknowledged
  originalSender: 'urn:kakehashi:participant:de:bzst',
  finalRecipient: 'urn:kakehashi:participant:jp:nta',
  payloads: [{ cid: `p1@${id}`, mimeType: REGREP_MIME, size: 10 }],
});

/** An inbox over a fake eDelivery backend that counts how it is read. */
function inbox(waiting: InboxMessage[]) {
  const calls = { list: 0, one: 0, acked: [] as string[] };
  const status = new Map(waiting.map((m) => [m.messageId, 'RECEIVED']));
  const api = {
    inbox: async () => {
      calls.list++;
      return waiting.filter((m) => status.get(m.messageId) === 'RECEIVED');
    },
    received: async (_f: unknown, id: string) => {
      calls.one++;
      const m = waiting.find((x) => x.messageId === id);
      return m ? { ...m, status: status.get(id) as string } : undefined;
    },
    download: async () => '<x/>',
    ack: async (_f: unknown, id: string) => {
      calls.acked.push(id);
      status.set(id, 'DOWNLOADED');
    },
  };
  const ctx = {
    api,
    deps: { fetch, logger: createMemoryLogger('warn') },
    participant: (id: string | null | undefined) => (id ? { id } : undefined),
  } as unknown as EvidenceContext;
  return { inbox: createInbox(ctx, 'http://jp.test/evidence/inbound'), calls };
}

describe('evidence inbox: a notification names what changed, the inbox is not listed again', () => {
  it('reads the received message ids of single and batched notifications; anything else is no notification', () => {
    const change = { messageId: 'm1', direction: 'in', status: 'RECEIVED', previous: null, at: 'now' };
    expect(receivedIn({ type: 'edelivery.status', subscription: 's', ...change })).toEqual(['m1']);
    expect(
      receivedIn({
        type: 'edelivery.status-batch',
        subscription: 's',
        changes: [
          change,
          { ...change, messageId: 'm2', direction: 'out', status: 'RECEIVED' },
          { ...change, messageId: 'm3', status: 'DOWNLOADED' },
          { ...change, messageId: 'm4' },
        ],
      }),
    ).toEqual(['m1', 'm4']);
    // A change that carries the message's routing metadata is left out when the block does not take it: not read.
    const regrep = { service: EVIDENCE_SERVICE, finalRecipient: 'r', payloads: [{ mimeType: REGREP_MIME }] };
    const takes = (m: { payloads: { mimeType: string }[] }) => m.payloads[0]?.mimeType === REGREP_MIME;
    expect(
      receivedIn(
        {
          type: 'edelivery.status-batch',
          subscription: 's',
          changes: [
            { ...change, message: regrep },
            { ...change, messageId: 'm2', message: { ...regrep, payloads: [{ mimeType: 'application/xml' }] } },
            { ...change, messageId: 'm3' },
          ],
        },
        takes,
      ),
    ).toEqual(['m1', 'm3']);
    expect(receivedIn(undefined)).toBeUndefined();
    expect(receivedIn({ hello: 'world' })).toBeUndefined();
  });

  it('after the first sweep, each notification reads only the messages it names — each handled once', async () => {
    const { inbox: box, calls } = inbox([ours('a'), ours('b'), ours('c'), { ...ours('other'), service: 'x' }]);
    // The first run lists the inbox (what arrived before the subscription): a, b, c handled, `other` left alone.
    expect(await box.notified(['a'])).toBe(3);
    expect(calls.list).toBe(1);
    expect(calls.acked.sort()).toEqual(['a', 'b', 'c']);
    // Later notifications: no listing; a message already handled is not handled again; another service's is left.
    expect(await box.notified(['a', 'other'])).toBe(0);
    expect(calls.list).toBe(1);
    expect(calls.one).toBe(2);
    expect(calls.acked.sort()).toEqual(['a', 'b', 'c']);
    // What a notification's metadata shows is not the block's is not read at all.
    expect(box.takes({ ...ours('x'), payloads: [{ mimeType: 'application/xml' }] })).toBe(false);
    expect(box.takes({ ...ours('x'), service: 'x' })).toBe(false);
    expect(box.takes(ours('x'))).toBe(true);
    // An explicit process() still lists everything.
    expect(await box.process()).toBe(0);
    expect(calls.list).toBe(2);
  });
});
