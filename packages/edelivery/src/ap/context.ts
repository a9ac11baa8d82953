import type { KeyObject } from 'node:crypto';
import type { CertificateVerdict, ComponentDeps } from '@kakehashi/core';
import type { WebhookDispatcher } from '../backend/webhooks.ts';
import type { Discovery } from '../discovery/discovery.ts';
import type { PMode, PModeInput } from '../pmode/z-pmode.ts';
import type { MessageStore } from '../store/message-store.ts';

export interface ApCredential {
  certPem: string;
  chainPem: string[];
  privateKey: KeyObject;
}

/** An eDelivery participant served by this access point (corner 1 or 4). */
export interface ApParticipant {
  id: string;
  name: string;
  services: string[];
  agencyId?: string | undefined;
}

export interface AccessPointDeps extends ComponentDeps {
  /** The node's country (ISO 3166 alpha-2). */
  country: string;
  /** The node's origin; the AS4 endpoint is `<publicUrl>/as4`. */
  publicUrl: string;
  /** Signs UserMessages and receipts (node signing credential). */
  signing: ApCredential;
  /** Decrypts payload keys (node encryption credential). */
  encryption: ApCredential;
  /**
   * Other trusted credentials of the node (agencies): only used by the faults that sign with the wrong certificate
   * (`edelivery.receipt-wrong-signer`, `edelivery.wrong-party`).
   */
  otherCredentials?: ApCredential[];
  participants: readonly ApParticipant[];
  /** Countries of the federation: the default P-Modes admit their access points as parties. */
  countries: readonly string[];
  /** Validates a certificate against the node's own verified trust view. */
  validateCertificate(pem: string, chain: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
  discovery: Discovery;
  /** P-Modes (validated at load); defaults: evidence and notification between every pair of federation nodes. */
  pmodes?: PModeInput[];
  /** Real-time interval of the timer that pumps due messages (0: no timer; drive it with `pump()`). Default 250. */
  pollIntervalMs?: number;
  /** Clock skew tolerated on WS-Security timestamps, seconds (default: option clockSkewSeconds). */
  skewSeconds?: number;
}

/** What the sender, receiver and backend share at run time. */
export interface ApContext {
  deps: AccessPointDeps;
  store: MessageStore;
  partyId: string;
  pmodes(): PMode[];
  /** Asks for a pump soon (after a submission or a status change). */
  kick(): void;
  /** The backend's webhook subscriptions (status changes are posted through it). */
  webhooks: WebhookDispatcher;
}
