import { openStore, VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { MessageStore } from '../src/store/message-store.ts';
import { EDELIVERY_MIGRATIONS } from '../src/store/migrations.ts';
import { AT } from './fixtures.ts';

const BODY = ['header_json', 'peer_signing_cert', 'peer_encryption_cert', 'receipt_xml'];
const columns = (store: ReturnType<typeof openStore>, table: string) =>
  store.all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name);

describe('AS4 message store: a message is a status row and a body written once (migration 005)', () => {
  it('moves the messages stored before it, their values unchanged, out of the status rows', () => {
    const store = openStore({ name: 'edelivery-bodies-migrate' });
    store.migrate(EDELIVERY_MIGRATIONS.filter((m) => m.id !== 'edelivery/messages/005'));
    expect(columns(store, 'edelivery_messages')).toEqual(expect.arrayContaining(BODY));
    store.run(
      `INSERT INTO edelivery_messages (message_id, direction, status, pmode_id, service, action, conversation_id,
         from_party, to_party, header_json, content_hash, peer_signing_cert, peer_encryption_cert, receipt_xml,
         attempts, nr_references, created_at, updated_at)
       VALUES ('old', 'out', 'ACKNOWLEDGED', 'p', 's', 'a', 'c', 'DE', 'JP', '{"messageId":"old"}', 'h',
         'SIGNING PEM', 'ENCRYPTION PEM', '<Receipt/>', 2, '[]', '2026-01-01T00:00:00.000Z',
         '2026-01-01T00:00:01.000Z')`,
    );
    const clock = new VirtualClock();
    clock.freeze(AT);
    const ms = new MessageStore(store, clock);
    for (const c of BODY) expect(columns(store, 'edelivery_messages')).not.toContain(c);
    expect(columns(store, 'edelivery_message_bodies')).toEqual(['message_id', 'direction', ...BODY]);
    expect(ms.get('old', 'out')).toMatchObject({
      message_id: 'old',
      status: 'ACKNOWLEDGED',
      header_json: '{"messageId":"old"}',
      peer_signing_cert: 'SIGNING PEM',
      peer_encryption_cert: 'ENCRYPTION PEM',
      receipt_xml: '<Receipt/>',
      attempts: 2,
      updated_at: '2026-01-01T00:00:01.000Z',
    });
    expect(ms.list({ direction: 'out', limit: 10 }).map((r) => r.header_json)).toEqual(['{"messageId":"old"}']);
    store.close();
  });

  it('writes a status change to the status row, and a receipt once to the body', () => {
    const store = openStore({ name: 'edelivery-bodies' });
    const clock = new VirtualClock();
    clock.freeze(AT);
    const ms = new MessageStore(store, clock);
    ms.insert(
      {
        message_id: 'm',
        direction: 'out',
        status: 'READY_TO_SEND',
        pmode_id: 'p',
        service: 's',
        action: 'a',
        conversation_id: 'c',
        original_sender: null,
        final_recipient: null,
        from_party: 'DE',
        to_party: 'JP',
        header_json: '{"messageId":"m"}',
        content_hash: 'h',
        endpoint: 'http://jp.test/as4',
        peer_country: 'JP',
        peer_signing_cert: 'SIGNING PEM',
        peer_encryption_cert: 'ENCRYPTION PEM',
        next_attempt_at: clock.nowMs(),
        nr_references: null,
        receipt_xml: null,
        trace_parent: null,
      },
      [],
    );
    const [claimed] = ms.claim(['m'], ['READY_TO_SEND'], 'SEND_ENQUEUED');
    expect(claimed).toMatchObject({ status: 'SEND_ENQUEUED', header_json: '{"messageId":"m"}', receipt_xml: null });
    expect(ms.claim(['m'], ['READY_TO_SEND'], 'SEND_ENQUEUED')).toEqual([]);
    ms.transition('m', 'out', ['SEND_ENQUEUED'], 'WAITING_FOR_RECEIPT', { attempts: 1, nr_references: '[1]' });
    const ack = ms.transition('m', 'out', ['WAITING_FOR_RECEIPT'], 'ACKNOWLEDGED', {
      receipt_xml: '<Receipt/>',
      last_error: null,
    });
    expect(ack).toMatchObject({ status: 'ACKNOWLEDGED', previous: 'WAITING_FOR_RECEIPT' });
    expect(ms.transition('m', 'out', ['WAITING_FOR_RECEIPT'], 'SEND_FAILURE')).toBeUndefined();
    expect(ms.get('m', 'out')).toMatchObject({
      status: 'ACKNOWLEDGED',
      attempts: 1,
      nr_references: '[1]',
      header_json: '{"messageId":"m"}',
      peer_signing_cert: 'SIGNING PEM',
      peer_encryption_cert: 'ENCRYPTION PEM',
      receipt_xml: '<Receipt/>',
    });
    expect(store.get('SELECT receipt_xml FROM edelivery_message_bodies WHERE message_id = ?', 'm')).toEqual({
      receipt_xml: '<Receipt/>',
    });
    expect(ms.events('m', 'out').map((e) => e.status)).toEqual([
      'READY_TO_SEND',
      'SEND_ENQUEUED',
      'WAITING_FOR_RECEIPT',
      'ACKNOWLEDGED',
    ]);
    store.close();
  });
});
