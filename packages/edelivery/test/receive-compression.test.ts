import { gzipSync } from 'node:zlib';
import type { Store } from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUserMessageEnvelope } from '../src/message/build-user-message.ts';
import { envelopeIds } from '../src/message/envelope-ids.ts';
import { accessPointPartyId, EBMS } from '../src/message/ns.ts';
import type { UserMessage } from '../src/message/z-user-message.ts';
import { buildMultipart } from '../src/mime/multipart.ts';
import { encryptAttachments } from '../src/wss/encrypt-attachments.ts';
import { signEnvelope } from '../src/wss/sign-envelope.ts';
import { AT, material } from './fixtures.ts';
import { receiver as jpReceiver, RECIPIENT, SERVICE } from './receiver-fixture.ts';

const receiver = () => jpReceiver('edelivery-receive-compression');

/**
 * A DE → JP UserMessage, signed by DE and encrypted for JP, as DE's sender posts it, with one attachment `body`
 * that its PartInfo says is gzip-compressed.
 */
function message(body: Buffer) {
  const m = material();
  const messageId = `${crypto.randomUUID()}@kakehashi-ap-de.kakehashi`;
  const um: UserMessage = {
    messageId,
    timestamp: AT.toISOString(),
    from: { partyId: accessPointPartyId('DE'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.initiatorRole },
    to: { partyId: accessPointPartyId('JP'), partyIdType: EBMS.unregisteredPartyType, role: EBMS.responderRole },
    agreementRef: { value: 'urn:kakehashi:agreement:edelivery:v1', pmode: 'kakehashi-evidence' },
    service: { value: SERVICE, type: 'urn:kakehashi:service-type' },
    action: 'ExecuteQueryRequest',
    conversationId: messageId,
    properties: [
      { name: 'originalSender', value: 'urn:kakehashi:participant:de:bzst' },
      { name: 'finalRecipient', value: RECIPIENT },
    ],
    parts: [
      {
        href: 'cid:p1@de',
        properties: [
          { name: 'MimeType', value: 'text/plain' },
          { name: 'CompressionType', value: 'application/gzip' },
        ],
      },
    ],
  };
  const ids = envelopeIds(messageId);
  const attachments = [{ contentId: 'p1@de', body }];
  const de = m.countries.DE!;
  const signed = signEnvelope(buildUserMessageEnvelope(um, ids), {
    certPem: de.signing.certPem,
    privateKey: de.signing.privateKey,
    elementIds: [ids.messaging, ids.body],
    attachments,
    created: AT,
    ttlSeconds: 300,
    idPrefix: ids.prefix,
  });
  const enc = encryptAttachments(signed.xml, attachments, m.countries.JP!.encryption.certPem, ids.prefix);
  const mime = buildMultipart(
    enc.xml,
    enc.attachments.map((a) => ({ ...a, contentType: 'application/octet-stream' })),
  );
  return { messageId, mime };
}

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
