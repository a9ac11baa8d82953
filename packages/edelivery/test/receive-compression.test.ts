import { gzipSync } from 'node:zlib';
import {
  type CertificateVerdict,
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  type Store,
  VirtualClock,
} from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Discovery } from '../src/discovery/discovery.ts';
import { buildUserMessageEnvelope } from '../src/message/build-user-message.ts';
import { envelopeIds } from '../src/message/envelope-ids.ts';
import { accessPointPartyId, EBMS } from '../src/message/ns.ts';
import type { UserMessage } from '../src/message/z-user-message.ts';
import { buildMultipart } from '../src/mime/multipart.ts';
import { mountAccessPoint } from '../src/mount-access-point.ts';
import { encryptAttachments } from '../src/wss/encrypt-attachments.ts';
import { signEnvelope } from '../src/wss/sign-envelope.ts';
import { AT, material } from './fixtures.ts';

const RECIPIENT = 'urn:kakehashi:participant:jp:nta';
const SERVICE = 'urn:kakehashi:service:evidence';

/** JP's access point on a component of its own (its trust view and registry lookup always answer). */
function receiver() {
  const m = material();
  const jp = m.countries.JP!;
  const clock = new VirtualClock();
  clock.freeze(AT);
  const store = openStore({ name: 'edelivery-receive-compression' });
  const logger = createMemoryLogger('warn');
  const deps = {
    store,
    clock,
    random: new SeededRandom('edelivery-receive-compression'),
    logger,
    config: new LayeredConfig(CORE_OPTIONS),
    fetch,
    traces: new MemoryTraceSink(),
    faults: new FaultSwitchboard(),
  };
  const app = createComponentApp({ component: 'node', country: 'JP', name: 'test JP', version: '0' }, deps);
  /** What the trust view and the registry lookup throw now (undefined: they answer). */
  const failing: { trust?: unknown; registry?: unknown } = {};
  const discovery: Discovery = {
    resolve: async () => {
      throw new Error('not used by the receiver');
    },
    registeredCertificate: async (country) => {
      if (failing.registry) throw failing.registry;
      return m.countries[country]?.signing.certPem;
    },
  };
  const ap = mountAccessPoint(app, {
    ...deps,
    country: 'JP',
    publicUrl: 'http://jp.test',
    signing: jp.signing,
    encryption: jp.encryption,
    participants: [{ id: RECIPIENT, name: 'NTA', services: [SERVICE] }],
    countries: ['DE', 'JP'],
    validateCertificate: (): CertificateVerdict => {
      if (failing.trust) throw failing.trust;
      return { valid: true, country: 'DE', checks: [] };
    },
    discovery,
    pollIntervalMs: 0,
  });
  return { app, store, messages: ap.store, logger, failing };
}

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
