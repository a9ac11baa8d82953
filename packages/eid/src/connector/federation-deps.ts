import type { CertificateVerdict } from '@kakehashi/core';
import type { ExpectedIdToken, IdTokenVerdict } from '../validate/z-validation.ts';

/** A peer node as the hub's registry announces it, its signed metadata verified by this node. */
export interface FederationPeer {
  country: string;
  /** The peer's origin (also its OIDC issuer). */
  url: string;
  /** The peer's signing certificate (PEM), already validated against this node's trust view. */
  signingCertPem: string;
}

/**
 * What the eIDAS connector and the proxy-service side of a node need from the federation (the node wires it):
 * the hub, verified peer lookup, its own signing key for `private_key_jwt`, and the ID-token validation
 * service's checks for the foreign token.
 */
export interface FederationDeps {
  hubUrl: string;
  /** The node's signing credential: the connector's `private_key_jwt` key (RS256, kid = x5t#S256). */
  signing: { privateKey: import('node:crypto').KeyObject; certPem: string; chainPem: readonly string[] };
  /** A registered, trusted peer node, or undefined (unknown country, untrusted metadata). */
  lookupPeer(country: string, fetcher: typeof fetch): Promise<FederationPeer | undefined>;
  /**
   * Registered peers (for the country-selection page), with the URL of the proxy service the hub's relay sends
   * the browser to (the peer's OIDC issuer: the picker's `form-action` allows its origin).
   */
  listPeers(fetcher: typeof fetch): Promise<{ country: string; name: string; url: string }[]>;
  /** The validation service's verdict on an ID token (J1–J17, keys from the trust fabric). */
  validateIdToken(token: string, expected: ExpectedIdToken, fetcher: typeof fetch): Promise<IdTokenVerdict>;
  validateCertificate(certPem: string, chainPem: string[], opts: { at: Date; usage?: string[] }): CertificateVerdict;
}
