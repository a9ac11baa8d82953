import type { KeyObject } from 'node:crypto';
import type { CertificateVerdict, ComponentDeps, Store } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';

/** A signing key with its certificate and chain (issuing CA first, then root). */
export interface JpCredential {
  certPem: string;
  chainPem: string[];
  privateKey: KeyObject;
}

/** One certificate of the mock My Number Card, with its key "on the card". */
export interface CardCertificate extends JpCredential {
  /** Serial number, lower-case hex. */
  serialHex: string;
}

/** The mock Individual Number Card: the JPKI user-authentication certificate is what the portal uses. */
export interface JpCard {
  personaId: string;
  certificates: { authentication: CardCertificate; signature: CardCertificate };
}

/** Validates a certificate against the trust fabric (the node's own verified view of it). */
export interface CertificateValidator {
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
}

/** An agency of Japan's profile, as the network needs it. */
export interface JpAgency {
  id: string;
  name: string;
  nameLocal: string;
  kind: string;
}

/**
 * What the Cooperation Network needs from Japan's node: `NodeDeps` of `@kakehashi/node` satisfies it
 * structurally (plus the profile's agencies).
 */
export interface CooperationNetworkDeps extends ComponentDeps {
  /** The federation seed (public): keys and data copies derive from it, so a run is reproducible. TEST ONLY. */
  seed: string;
  /** The node's origin: the intermediary servers, J-LIS and the network call each other through it. */
  publicUrl: string;
  /** The hub's URL, when there is one: its teaching console frames the citizen portal. */
  hubUrl?: string;
  personas: readonly Persona[];
  agencies: readonly JpAgency[];
  credentials: {
    /** The node's signing credential: the network system signs its calls to intermediary servers with it. */
    signing: JpCredential;
    /** One signing credential per agency (its intermediary server's certificate). */
    agencies: Record<string, JpCredential>;
    /** The JPKI CA that issues My Number Card certificates. */
    jpkiCa?: JpCredential;
  };
  trust: CertificateValidator;
  /** The mock My Number Card of a persona. */
  cards?: (personaId: string) => JpCard;
  /** Opens the separate store of one logical component (default: beside `store`, or in memory). */
  openStore?: (name: string) => Store;
}
