import { gzipSync } from 'node:zlib';
import type { Store } from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { inboundMessage, receiver as jpReceiver } from './receiver-fixture.ts';

const receiver = () => jpReceiver('edelivery-receive-compression');

const message = (body: Buffer) => inboundMessage(body, { compressed: true });

/**
 * The receiver gunzips a compressed payload (on the thread pool) within the P-Mode's maxBytes: a payload that
 * inflates past it (a compression bomb) or is not gzip is refused with EBMS:0303 and nothing is stored.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §3.1
 */
describe('AS4 receiver: compressed payloads', () => {
  const stores: Store[] = [];
  afterAll(() => {
    for (const s of stores) s.close();
  });
  const post = async (body: Buffer) => {
    const r = receiver();
    stores.push(r.store);
    const msg = message(body);
    const res = await r.app.request('/as4', {
      method: 'POST',
      headers: { 'content-type': msg.mime.contentType },
      body: new Uint8Array(msg.mime.body),
    });
    return { status: res.status, text: await res.text(), stored: r.messages.get(msg.messageId, 'in'), r, msg };
  };

  it('a gzip payload is received and stored decompressed', async () => {
    const { status, text, stored, r, msg } = await post(gzipSync(Buffer.from('a compressed payload')));
    expect(status).toBe(200);
    expect(text).toContain('Receipt');
    expect(stored?.status).toBe('RECEIVED');
    expect(Buffer.from(r.messages.payloads(msg.messageId, 'in')[0]?.content ?? []).toString()).toBe(
      'a compressed payload',
    );
  });

  it('a payload inflating past maxBytes (5 MiB by default) is refused with EBMS:0303', async () => {
    const { status, text, stored } = await post(gzipSync(Buffer.alloc(6 * 1024 * 1024)));
    expect(status).toBe(200);
    expect(text).toContain('EBMS:0303');
    expect(text).toContain('does not decompress (or exceeds');
    expect(stored).toBeUndefined();
  });

  it('a payload that is not gzip is refused with EBMS:0303', async () => {
    const { text, stored } = await post(Buffer.from('not gzip at all'));
    expect(text).toContain('EBMS:0303');
    expect(stored).toBeUndefined();
  });
});
