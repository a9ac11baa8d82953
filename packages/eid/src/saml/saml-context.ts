import { createHash, type KeyObject } from 'node:crypto';
import { type ComponentDeps, recordHop } from '@kakehashi/core';
import type { Loa, Persona } from '@kakehashi/personas';
import type { Context } from 'hono';
import { deriveEidKeys, type EidKeys } from '../keys/derive-keys.ts';
import { createSpDirectory, type SpDirectory } from './idp/sp-directory.ts';
import {
  createPeerMetadataResolver,
  type PeerMetadataResolver,
  type RegisteredNodes,
  type ValidateCertificate,
} from './metadata/resolve-peer-metadata.ts';
import { createSamlReplayCache } from './validate/saml-replay-cache.ts';
import type { SamlReplayCache } from './validate/validation-context.ts';

/** A key with its certificate and chain (issuing CA first). */
export interface SamlCredential {
  privateKey: KeyObject;
  certPem: string;
  chainPem: readonly string[];
}

/** What the SAML IdP (proxy service) and SP (connector) of a node need. */
export interface SamlDeps extends ComponentDeps {
  /** The node's origin, e.g. `http://127.0.0.1:7007`. */
  baseUrl: string;
  country: string;
  /** The highest LoA of the country's eID scheme. */
  loa: Loa;
  personas: readonly Persona[];
  /** The node's signing credential (metadata, Responses, assertions, AuthnRequests). */
  signing: SamlCredential;
  /** The node's encryption credential (assertions are encrypted to its certificate when it is the SP). */
  encryption: SamlCredential;
  /** Display name in metadata. */
  organizationName: string;
  /** The registered nodes (through the hub registry). */
  registeredNodes: RegisteredNodes;
  /** The node's verified trust view. */
  validateCertificate: ValidateCertificate;
  /**
   * Override of the PersonIdentifier (`CC/DEST/opaque`) for a persona and destination country; default the keyed
   * `computePersonIdentifier`. Japan's node supplies its own construction.
   */
  personIdentifier?(personaId: string, destinationCountry: string): string | undefined;
  /**
   * The hub: when set, the connector's AuthnRequest travels through the hub's relay
   * (`GET <hub>/eid/proxy/<CC>/saml`, same signed query) instead of straight to the proxy service.
   */
  hubUrl?: string;
}

/** The SAML part's resolved state, shared by its route modules (IdP, SP, metadata, admin). */
export interface SamlContext {
  deps: SamlDeps;
  /** The node's origin without a trailing slash. */
  base: string;
  idpEntityId: string;
  spEntityId: string;
  ssoUrl: string;
  acsUrl: string;
  /** The IdP's SingleLogoutService (HTTP-Redirect: LogoutRequests come here). */
  idpSloUrl: string;
  /** The SP's SingleLogoutService (HTTP-Redirect: LogoutResponses come here). */
  spSloUrl: string;
  seed: string;
  keys: EidKeys;
  personas: ReadonlyMap<string, Persona>;
  /** The signing key and certificate of metadata, Responses, assertions and AuthnRequests. */
  signer: { privateKey: KeyObject; certPem: string };
  peers: PeerMetadataResolver;
  directory: SpDirectory;
  replay: SamlReplayCache;
  /** The last assertion ID this IdP issued to each SP (what `saml.replayed-assertion` sends again). */
  lastAssertionIds: Map<string, string>;
  /** Virtual-clock seconds. */
  nowS(): number;
  /** Records an `internal` trace event of this node in the request's trace. */
  trace(
    c: Context,
    operation: string,
    peer: string | undefined,
    artefact: unknown,
    verdict?: { valid: boolean; checks?: unknown[] },
  ): void;
}

/** SHA-256 hex of a string (single-use request ids are stored hashed). */
export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Resolves entity IDs, keys, the peer metadata resolver, the SP directory and the replay cache once per node. */
export function createSamlContext(deps: SamlDeps): SamlContext {
  const base = deps.baseUrl.replace(/\/+$/, '');
  const seed = deps.config.get('seed');
  const peers = createPeerMetadataResolver({
    clock: deps.clock,
    registeredNodes: deps.registeredNodes,
    validateCertificate: deps.validateCertificate,
  });
  return {
    deps,
    base,
    idpEntityId: `${base}/saml/idp/metadata`,
    spEntityId: `${base}/saml/sp/metadata`,
    ssoUrl: `${base}/saml/idp/sso`,
    acsUrl: `${base}/saml/sp/acs`,
    idpSloUrl: `${base}/saml/idp/slo`,
    spSloUrl: `${base}/saml/sp/slo`,
    seed,
    keys: deriveEidKeys(seed, deps.country),
    personas: new Map(deps.personas.map((p) => [p.id, p])),
    signer: { privateKey: deps.signing.privateKey, certPem: deps.signing.certPem },
    peers,
    directory: createSpDirectory({ store: deps.store, clock: deps.clock, seed, ownCountry: deps.country, peers }),
    replay: createSamlReplayCache(deps.store, deps.clock),
    lastAssertionIds: new Map(),
    nowS: () => Math.floor(deps.clock.nowMs() / 1000),
    trace: (c, operation, peer, artefact, verdict) =>
      recordHop(deps.traces, deps.clock, c.get('trace'), {
        component: 'node',
        country: deps.country,
        operation,
        direction: 'internal',
        peer,
        artefact,
        ...(verdict ? { verdict } : {}),
      }),
  };
}
