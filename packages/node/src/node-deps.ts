import type { KeyObject } from 'node:crypto';
import type { ComponentApp, ComponentDeps, ComponentInfo, NodeMetadata, SecurityEvents } from '@kakehashi/core';
import type { NationalCsirt } from '@kakehashi/csirt';
import type { ClientRegistrationInput, IssueIdTokenInput } from '@kakehashi/eid';
import type { CooperationNetwork } from '@kakehashi/jp-network';
import type { Persona } from '@kakehashi/personas';
import type { CardIssuer } from './jpki/card-issuer.ts';
import type { CountryProfile } from './profiles/z-profile.ts';
import type { NodeTrust } from './trust/node-trust.ts';

/** A key with its certificate and chain (issuing CA first, then root). */
export interface NodeCredential {
  certPem: string;
  chainPem: string[];
  privateKey: KeyObject;
}

/** Every credential a node holds, from the trust material generated from the seed (TEST ONLY). */
export interface NodeCredentials {
  signing: NodeCredential;
  tls: NodeCredential;
  encryption: NodeCredential;
  /** One signing credential per agency of the profile, by agency id. */
  agencies: Record<string, NodeCredential>;
  /**
   * The country's issuing CA (chain: its root): the node operates its national CA, and the security lab's signing
   * faults re-issue a signer's certificate with it (revoked, expired, weak key).
   */
  issuingCa?: NodeCredential;
  /** Japan only: the JPKI-style CA that issues My Number Card certificates (chain: its root). */
  jpkiCa?: NodeCredential;
  /** The country's RFC 3161 time-stamping unit (EKU timeStamping, listed in the trusted list as TSA/QTST). */
  tsa?: NodeCredential;
}

/** What a national node is built from: the component's shared dependencies plus its country's. */
export interface NodeDeps extends ComponentDeps {
  profile: CountryProfile;
  /** The node's origin, e.g. `http://127.0.0.1:7002`. */
  publicUrl: string;
  hubUrl: string;
  credentials: NodeCredentials;
  /** The federation seed (public): what must be reproducible per seed is derived from it. */
  seed: string;
  trust: NodeTrust;
  /** The country's synthetic personas (each with an `id`). */
  personas: readonly Persona[];
  /** Japan only: issues the mock My Number Card of a persona (JPKI signature + user-authentication certificates). */
  cards?: CardIssuer;
  /** Relying parties registered at this node's OIDC provider from the clients file (option oidcClientsFile). */
  oidcClients?: readonly ClientRegistrationInput[];
}

/** A running national node: its app, its registration and, in Japan, the card issuer and Cooperation Network. */
export interface NationalNode {
  app: ComponentApp;
  info: ComponentInfo;
  /** Loads the trust fabric from the hub, then registers (retrying while the hub is not up). */
  start(options?: { attempts?: number; delayMs?: number }): Promise<void>;
  register(): Promise<{ country: string; created: boolean }>;
  metadata(): NodeMetadata;
  /** Japan only: the mock My Number Cards of the personas (what a citizen holds; for tests and scenarios). */
  cards?: CardIssuer;
  /** Japan only: the Cooperation Network (custodian, J-LIS, network system, intermediary servers, portal). */
  jpNetwork?: CooperationNetwork;
  /**
   * IN-PROCESS ONLY (test kits such as `@kakehashi/msw`; no route reaches it): an ID token for one of the node's
   * personas, signed and shaped as its token endpoint would issue it after a login.
   */
  issueIdToken(input: IssueIdTokenInput): Promise<string>;
  /** The node's security events (`GET /security/events`): every refusal its blocks make. */
  security: SecurityEvents;
  /** The country's national CSIRT (`GET /csirt`): incidents, the reporting process, indicators received. */
  csirt: NationalCsirt;
  close(): void;
}
