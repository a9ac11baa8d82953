import type { KeyObject } from 'node:crypto';
import type { CertificateVerdict, ComponentDeps } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';
import type { EntityListing, EntityListKind } from '@kakehashi/trust';

/** A key with its certificate and chain (issuing CA first, then root), as the node holds its credentials. */
export interface WalletCredential {
  certPem: string;
  chainPem: string[];
  privateKey: KeyObject;
}

/** Looks a certificate up in a list of trusted entities the node loaded from the LOTL (ETSI TS 119 602). */
export type EntityListLookup = (kind: EntityListKind, certPem: string, at: Date) => EntityListing;

/** What the wallet building block (PID provider and verifier) needs from the node that mounts it. */
export interface WalletDeps extends ComponentDeps {
  country: string;
  /** The node's origin: the credential issuer identifier and the verifier's response URIs start with it. */
  publicUrl: string;
  /** The federation seed: the PID provider's key is drawn from it. */
  seed: string;
  personas: readonly Persona[];
  /** The country's issuing CA: it certifies the PID provider's key (the trust fabric's national CA). */
  issuingCa: WalletCredential;
  /** The node's signing certificate (its validity and CRL distribution point are the PID provider's too). */
  signingCertPem: string;
  /** The node's one certificate validation (its own trust view of the LOTL and national trusted lists). */
  validateCertificate: (
    certPem: string,
    chainPem: string[],
    /**
     * `credentialType` `attestation`: the issuer of an attestation of attributes other than the PID (Japan's
     * Setagaya), anchored in its country's trusted list — not on the EU list of PID providers.
     */
    opts: { at: Date; usage?: string[] | undefined; credentialType?: 'pid' | 'attestation' | undefined },
  ) => CertificateVerdict;
  /**
   * The eIDAS PersonIdentifier this country's proxy service gives a relying party of `destination` for a persona
   * (`EE/DE/…`): the PID carries one per destination, each selectively disclosable, so that a relying party gets
   * the same identifier from a wallet presentation as from an eIDAS login (the documented mapping).
   */
  personIdentifier?: ((personaId: string, destination: string) => string | undefined) | undefined;
  /** The destinations the PID carries an eIDAS PersonIdentifier for (the federation's other countries). */
  destinations?: readonly string[] | undefined;
  /**
   * Whether a certificate is on a list of trusted entities the node loaded from the LOTL (ETSI TS 119 602: the EU
   * PID providers, the wallet providers). W2 then asks that a PID's issuer be a listed PID provider.
   */
  entityListing?: EntityListLookup | undefined;
  /** The registered node whose origin is `issuer` (its country), or undefined: asked of the hub's registry. */
  resolveIssuer: (issuer: string, fetcher: typeof fetch) => Promise<{ country: string } | undefined>;
  /**
   * The node's own eID login for the authorization code flow: the PID provider is a relying party of the node's
   * OIDC provider (registered there as `clientId` with `clientSecret`, redirect URI `/wallet/issuer/eid-callback`),
   * and `personaOf` names the persona an ID token's `eidas_person_identifier` belongs to (undefined: not a
   * persona of this node, e.g. a custom identity). Without it the provider offers the pre-authorised flow only.
   */
  eidLogin?: EidLogin | undefined;
  /** The origin of the registered node of `country` (the wallet page receives PIDs from other countries' providers). */
  nodeUrlOf?: ((country: string, fetcher: typeof fetch) => Promise<string | undefined>) | undefined;
}

/** See {@link WalletDeps.eidLogin}. */
export interface EidLogin {
  clientId: string;
  clientSecret: string;
  personaOf(personIdentifier: string): string | undefined;
}
