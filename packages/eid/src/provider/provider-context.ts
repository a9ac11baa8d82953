import type { KeyObject } from 'node:crypto';
import type { ComponentDeps } from '@kakehashi/core';
import type { Loa, Persona } from '@kakehashi/personas';
import type { CardLoginDeps } from '../card/card-login.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { ClientRegistrationInput } from '../clients/z-client.ts';
import type { FederationDeps } from '../connector/federation-deps.ts';
import type { SubjectIdentifiers } from '../id-token/build-identity-claims.ts';
import type { SigningKey } from '../keys/build-jwks.ts';
import type { EidKeys } from '../keys/derive-keys.ts';

/** What the OIDC provider of a node needs (the node passes it; see `mountOidcProvider`). */
export interface OidcProviderDeps extends ComponentDeps {
  /** The issuer: the node's origin, e.g. `http://127.0.0.1:7007`. */
  issuer: string;
  /** ISO 3166 code of the node. */
  country: string;
  /** The highest LoA of the country's eID scheme. */
  loa: Loa;
  personas: readonly Persona[];
  /** The node's signing key and certificate (chain: issuing CA, root): the RS256 ID-token key. */
  signing: { privateKey: KeyObject; certPem: string; chainPem: readonly string[] };
  /** Relying parties registered from the clients file (the demo RP is always there). */
  clients?: readonly ClientRegistrationInput[];
  /** The federation, for the eIDAS connector (cross-border logins through the hub) and peer connectors as clients. */
  federation?: FederationDeps;
  /** Japan: login with the Individual Number Card's user-authentication certificate. */
  card?: CardLoginDeps;
  /** A national construction of PersonIdentifier and pairwise `sub` (Japan's, from the link id). */
  identifiers?: SubjectIdentifiers;
}

/** The provider's resolved state, shared by its handlers. */
export interface ProviderContext {
  deps: OidcProviderDeps;
  issuer: string;
  endpoints: {
    authorize: string;
    token: string;
    userinfo: string;
    jwks: string;
    login: string;
    endSession: string;
  };
  keys: EidKeys;
  signingKeys: () => Promise<SigningKey[]>;
  clients: ClientRegistry;
  personas: ReadonlyMap<string, Persona>;
  nowSeconds(): number;
  /** Purges expired codes, tokens and sessions (throttled: at most once a minute on the virtual clock). */
  purgeExpired(): void;
}
