import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Store } from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { gzipOptionsFor } from '../src/backend/submit-message.ts';
import {
  gunzipBounded,
  INLINE_GUNZIP_INPUT_BYTES,
  INLINE_GUNZIP_OUTPUT_BYTES,
} from '../src/receiver/receive-message.ts';
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

  it('a payload the sender compressed with a window sized to it is received as sent', async () => {
    const body = Buffer.from(`<Query>${'0123456789abcdef'.repeat(120)}</Query>`);
    const { status, stored, r, msg } = await post(gzipSync(body, gzipOptionsFor(body.length)));
    expect(status).toBe(200);
    expect(stored?.status).toBe('RECEIVED');
    expect(Buffer.from(r.messages.payloads(msg.messageId, 'in')[0]?.content ?? []).equals(body)).toBe(true);
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

/** The sender's zlib window follows the payload's size (its buffers are allocated and cleared on every call). */
describe('AS4 sender: gzip sized to the payload', () => {
  it('a window just larger than the payload (9 to 15 bits), and the same bytes back from any inflater', () => {
    expect(gzipOptionsFor(0)).toEqual({ windowBits: 9, memLevel: 2 });
    expect(gzipOptionsFor(2000)).toEqual({ windowBits: 12, memLevel: 5 });
    expect(gzipOptionsFor(32_768 - 262)).toEqual({ windowBits: 15, memLevel: 8 });
    expect(gzipOptionsFor(10_000_000)).toEqual({ windowBits: 15, memLevel: 8 });
    for (const n of [0, 1, 250, 251, 4000, 20_000, 100_000]) {
      const raw = Buffer.from(Array.from({ length: n }, (_, i) => 'abcdefgh'[(i * 7919) % 8] as string).join(''));
      const packed = gzipSync(raw, gzipOptionsFor(n));
      expect(gunzipSync(packed).equals(raw)).toBe(true);
      // No bigger than with zlib's defaults for what fits the window.
      if (n <= 32_768 - 262) expect(packed.length).toBeLessThanOrEqual(gzipSync(raw).length);
    }
  });
});

/** Small attachments inflate on the event loop, within a bound; the rest on the thread pool — the same answers. */
describe('AS4 receiver: gunzip, inline when small', () => {
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'inflated',
      (e: { code?: string }) => e.code ?? 'error',
    );
  it('the same bytes whichever path; past maxBytes or not gzip refused on either', async () => {
    const small = Buffer.from('a small payload '.repeat(50));
    const packedSmall = gzipSync(small);
    expect(packedSmall.length).toBeLessThanOrEqual(INLINE_GUNZIP_INPUT_BYTES);
    expect((await gunzipBounded(packedSmall, 5 << 20)).equals(small)).toBe(true);
    // Compressed past the inline size: the thread pool.
    const large = randomBytes(INLINE_GUNZIP_INPUT_BYTES * 2); // incompressible
    const packedLarge = gzipSync(large);
    expect(packedLarge.length).toBeGreaterThan(INLINE_GUNZIP_INPUT_BYTES);
    expect((await gunzipBounded(packedLarge, 5 << 20)).equals(large)).toBe(true);
    // A small input inflating past the inline bound goes on to the thread pool, still within maxBytes…
    const zeros = Buffer.alloc(INLINE_GUNZIP_OUTPUT_BYTES * 3);
    const bomb = gzipSync(zeros);
    expect(bomb.length).toBeLessThanOrEqual(INLINE_GUNZIP_INPUT_BYTES);
    expect((await gunzipBounded(bomb, 5 << 20)).length).toBe(zeros.length);
    // …and past maxBytes it is refused, inline or not.
    expect(await failure(gunzipBounded(bomb, INLINE_GUNZIP_OUTPUT_BYTES * 2))).toBe('ERR_BUFFER_TOO_LARGE');
    expect(await failure(gunzipBounded(packedSmall, 100))).toBe('ERR_BUFFER_TOO_LARGE');
    expect(await failure(gunzipBounded(Buffer.from('not gzip'), 5 << 20))).toBe('Z_DATA_ERROR');
  });
});
