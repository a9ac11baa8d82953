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
  VirtualClock,
} from '@kakehashi/core';
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

export const RECIPIENT = 'urn:kakehashi:participant:jp:nta';
export const SERVICE = 'urn:kakehashi:service:evidence';

/**
 * JP's access point on a component of its own, receiving what DE's sender posts: its trust view and registry
 * lookup answer unless a test switches a failure in (`failing.trust`, `failing.registry`).
 */
export function receiver(name: string) {
  const m = material();
  const jp = m.countries.JP!;
  const clock = new VirtualClock();
  clock.freeze(AT);
  const store = openStore({ name });
  const logger = createMemoryLogger('warn');
  const deps = {
    store,
    clock,
    random: new SeededRandom(name),
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
 * A DE → JP UserMessage, signed by DE and encrypted for JP, as DE's sender posts it, with one attachment `body`;
 * `compressed`: its PartInfo says it is gzip-compressed.
 */
export function inboundMessage(body: Buffer, opts: { compressed?: boolean } = {}) {
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
          ...(opts.compressed ? [{ name: 'CompressionType', value: 'application/gzip' }] : []),
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
