/**
 * @kakehashi/edelivery — the eDelivery building block: an AS4 access point (ebMS 3.0 over SOAP 1.2 with
 * attachments, WS-Security per the eDelivery AS4 1.15 profile: RSA-SHA256 signatures over eb:Messaging, Body and
 * every attachment, AES-128-GCM payload encryption with RSA-OAEP key transport), signed receipts with
 * non-repudiation information, P-Modes, a persistent message store with Domibus states, retries with exponential
 * backoff on the virtual clock, duplicate elimination, discovery through the hub, and a backend API with webhooks.
 * TEST ONLY: keys come from the public seed.
 *
 * This entry exports what other packages use (the node mounts the access point; the root attack tests build
 * messages); the package's own tests import the feature files.
 */

export {
  EDELIVERY_FAULTS,
  type EdeliveryFaultName,
  RECEIPT_FAULTS,
  SENDING_FAULTS,
  type SendingFault,
} from './ap/faults.ts';
export { createHubDiscovery } from './discovery/discovery.ts';
export { EDELIVERY_ERROR_CODES } from './error-codes.ts';
export { buildUserMessageEnvelope } from './message/build-user-message.ts';
export { envelopeIds } from './message/envelope-ids.ts';
export { accessPointPartyId, EBMS } from './message/ns.ts';
export { parseEnvelope } from './message/parse-envelope.ts';
export type { UserMessage } from './message/z-user-message.ts';
export { buildMultipart } from './mime/multipart.ts';
export { mountAccessPoint } from './mount-access-point.ts';
export { buildOutbound, type OutboundDefects } from './sender/build-outbound.ts';
export { encryptAttachments } from './wss/encrypt-attachments.ts';
export { signEnvelope } from './wss/sign-envelope.ts';
