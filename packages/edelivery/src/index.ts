/**
 * @kakehashi/edelivery — the eDelivery building block: an AS4 access point (ebMS 3.0 over SOAP 1.2 with
 * attachments, WS-Security per the eDelivery AS4 1.15 profile: RSA-SHA256 signatures over eb:Messaging, Body and
 * every attachment, AES-128-GCM payload encryption with RSA-OAEP key transport), signed receipts with
 * non-repudiation information, P-Modes, a persistent message store with Domibus states, retries with exponential
 * backoff on the virtual clock, duplicate elimination, discovery through the hub, and a backend API with webhooks.
 * TEST ONLY: keys come from the public seed.
 */

export type {
  AccessPointDeps,
  ApContext,
  ApCredential,
  ApParticipant,
  ReceiptFault,
  ReceiverFault,
} from './ap/context.ts';
export { RECEIPT_FAULTS, RECEIVER_FAULTS } from './ap/context.ts';
export { type AccessPoint, mountAccessPoint } from './ap/mount-access-point.ts';
export { messageView } from './backend/mount-backend-api.ts';
export { type MessageView, MessageViewSchema, type Submission, SubmitSchema } from './backend/z-backend.ts';
export {
  createHubDiscovery,
  type DiscoveredEndpoint,
  type Discovery,
  REGISTRY_CACHE_MS,
} from './discovery/discovery.ts';
export { EDELIVERY_ERROR_CODES } from './error-codes.ts';
export { EBMS_ERRORS, EbmsError, type EbmsErrorCode, isEbmsError } from './errors/ebms-error.ts';
export { buildSignalEnvelope, buildSoapFault, type ReferenceInfo, type SignalInput } from './message/build-signal.ts';
export { buildUserMessageEnvelope, type EnvelopeIds } from './message/build-user-message.ts';
export { envelopeIds } from './message/envelope-ids.ts';
export { ALG, accessPointPartyId, countryOfPartyId, EBMS, NS, WSS } from './message/ns.ts';
export { type ParsedEnvelope, type ParsedSignal, parseEnvelope, readReferences } from './message/parse-envelope.ts';
export {
  type MessageProperty,
  type PartInfo,
  type Party,
  propertyValue,
  type UserMessage,
  UserMessageSchema,
} from './message/z-user-message.ts';
export {
  buildMultipart,
  contentIdOfCid,
  type MimePart,
  parseContentType,
  parseMultipart,
  SOAP_CONTENT_TYPE,
} from './mime/multipart.ts';
export { defaultPModes, findPMode, loadPModes, matchPMode } from './pmode/load-pmodes.ts';
export { type PMode, type PModeInput, PModeSchema, retryDelayMs, retryHorizonMs } from './pmode/z-pmode.ts';
export { receiveMessage } from './receiver/receive-message.ts';
export { SEND_TIMEOUT_MS, sendAttempt } from './sender/send-message.ts';
export { createSenderLoop, type PumpResult } from './sender/sender-loop.ts';
export { type ExpectedReceipt, type ReceiptOutcome, verifyReceipt } from './sender/verify-receipt.ts';
export {
  type Direction,
  MESSAGE_STATUSES,
  type MessageRow,
  type MessageStatus,
  MessageStore,
  type StatusChange,
} from './store/message-store.ts';
export { EDELIVERY_MIGRATIONS } from './store/migrations.ts';
export { decryptAttachments, encryptAttachments, subjectKeyIdentifier } from './wss/encrypt-attachments.ts';
export {
  digest,
  pemToDerBase64,
  referenceElement,
  type SignedEnvelope,
  type SignOptions,
  signEnvelope,
} from './wss/sign-envelope.ts';
export { MAX_REFERENCES, type VerifiedSignature, type VerifyOptions, verifyEnvelope } from './wss/verify-envelope.ts';
export { elementById, excC14n, idOf } from './wss/xml-helpers.ts';

/** @deprecated the package name, kept for the scaffold's import. */
export const PACKAGE = '@kakehashi/edelivery';
