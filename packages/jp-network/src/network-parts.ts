/**
 * The shape of Japan's Cooperation Network once built: what the node holds (`CooperationNetwork`) and what the route
 * modules are given (`CooperationNetworkParts`). Route modules depend on this shape, not on its construction
 * (`create-cooperation-network.ts`).
 */
import type { Store } from '@kakehashi/core';
import type { AgencyParty } from './agencies/agency-party.ts';
import type { IntermediaryServer } from './agencies/intermediary-server.ts';
import type { Kiosk } from './agencies/kiosk.ts';
import type { RequestAuthenticator } from './crypto/request-auth.ts';
import type { E2eKeyPair } from './crypto/seal.ts';
import type { KeyCustodian } from './custodian/key-custodian.ts';
import type { CooperationNetworkDeps, JpCredential } from './deps.ts';
import type { JpFaults } from './faults/faults.ts';
import type { NetworkContext } from './network/context.ts';
import type { Portal } from './portal/portal.ts';
import type { JlisRegistry } from './registry/jlis-registry.ts';
import type { Transport } from './transport.ts';
import type { XborderIdentifiers } from './xborder/xborder-identifiers.ts';

/** The agency that runs the citizen portal (it discloses records to citizens). */
export const PORTAL_AGENCY = 'digital-agency';
/** J-LIS: the only party that forwards acquisition numbers to the network. */
export const JLIS_AGENCY = 'j-lis';

/** Everything the Cooperation Network is made of, for the node and for tests. */
export interface CooperationNetwork {
  faults: JpFaults;
  custodian: KeyCustodian;
  registry: JlisRegistry;
  network: NetworkContext;
  servers: ReadonlyMap<string, IntermediaryServer>;
  portal: Portal;
  kiosk: Kiosk | undefined;
  /** Every store, by component name (`custodian`, `jlis`, `network`, `agency-<id>`). */
  stores: Record<string, Store>;
  xborderIdentifiers: XborderIdentifiers;
  /** Seeds the agencies' data copies and links them through the network (once; the routes call it lazily). */
  ready(): Promise<void>;
  /** Back to the seeded state: every JP table emptied, then re-seeded on next use (faults: the node's reset). */
  reset(): void;
  close(): void;
}

/**
 * The network with what its route modules need besides the public handle: the node's deps, the pinned
 * certificate directory, the transport between parties, the network's end-to-end key pair and the
 * authenticators of signed requests to the network and to J-LIS.
 */
export interface CooperationNetworkParts extends CooperationNetwork {
  deps: CooperationNetworkDeps;
  /** Certificates of every party by id (`network` and the agencies): the directory every receiver pins. */
  directory: Record<string, string>;
  transport: Transport;
  networkE2e: E2eKeyPair;
  /** Authenticates requests signed for the network system (audience `jp-network`). */
  networkAuth: RequestAuthenticator;
  /** Authenticates requests signed for J-LIS (audience `jp-jlis`). */
  jlisAuth: RequestAuthenticator;
  /** Every agency party: the intermediary servers and the portal. */
  parties: ReadonlyMap<string, AgencyParty>;
  /** The signing credential of an agency (config-invalid when the node has none). */
  credentialOf(agencyId: string): JpCredential;
  /** Records an internal `jp-network: …` hop on the trace of the request being served. */
  trace(operation: string, artefact: unknown, valid: boolean): void;
}
