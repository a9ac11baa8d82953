import { hkdfSync } from 'node:crypto';
import { dirname } from 'node:path';
import { currentTrace, KakehashiError, openStore, recordHop, type Store } from '@kakehashi/core';
import type { AgencyParty } from './agencies/agency-party.ts';
import { IntermediaryServer } from './agencies/intermediary-server.ts';
import { Kiosk } from './agencies/kiosk.ts';
import { RequestAuthenticator } from './crypto/request-auth.ts';
import { e2eKeyPairFrom } from './crypto/seal.ts';
import { KeyCustodian } from './custodian/key-custodian.ts';
import type { CooperationNetworkDeps, JpCredential } from './deps.ts';
import { JpFaults } from './faults/faults.ts';
import { NETWORK_MIGRATIONS, type NetworkContext } from './network/context.ts';
import { loadMatrix } from './network/matrix.ts';
/** Agency kinds that run an intermediary server holding data copies. */
import { type CooperationNetwork, type CooperationNetworkParts, JLIS_AGENCY, PORTAL_AGENCY } from './network-parts.ts';
import { Portal } from './portal/portal.ts';
import { AccessRecords } from './records/access-records.ts';
import { JlisRegistry } from './registry/jlis-registry.ts';
import { createTransport } from './transport.ts';
import { createXborderIdentifiers } from './xborder/xborder-identifiers.ts';

const PROVIDER_KINDS = new Set(['municipality', 'pension', 'tax', 'health-insurer']);
/**
 * Builds Japan's Cooperation Network (construction only: stores, keys, parties; no routes): the key custodian,
 * J-LIS, the network system's context and authenticators, the agencies' intermediary servers (each with its
 * own store), the portal and the kiosk. TEST ONLY.
 * @see ../../../shared/design/jp-cooperation-network.md
 */
export function createCooperationNetwork(deps: CooperationNetworkDeps): CooperationNetworkParts {
  const stores: Record<string, Store> = {};
  const openOne = (name: string): Store => {
    const s =
      deps.openStore?.(name) ??
      openStore({
        name: `${deps.store.name}-${name}`,
        dataDir: deps.store.location === ':memory:' ? ':memory:' : dirname(deps.store.location),
        // Written behind requests as the node's own store is (gathered a few ms: one commit for many requests).
        writeBehindMs: deps.store.writeBehindMs,
      });
    stores[name] = s;
    return s;
  };
  const credentialOf = (id: string): JpCredential => {
    const c = deps.credentials.agencies[id];
    if (!c) throw new KakehashiError('config-invalid', `Japan's node has no certificate for agency ${id}.`);
    return c;
  };
  const faults = new JpFaults(deps.faults);
  const matrix = loadMatrix();
  const directory: Record<string, string> = { network: deps.credentials.signing.certPem };
  for (const a of deps.agencies) if (deps.credentials.agencies[a.id]) directory[a.id] = credentialOf(a.id).certPem;
  const transport = createTransport(deps);

  const custodian = new KeyCustodian(deps.seed, openOne('custodian'), deps.clock);
  const registry = new JlisRegistry({ store: openOne('jlis'), clock: deps.clock, seed: deps.seed, faults });
  registry.enrolPersonas(deps.personas);
  const networkStore = openOne('network');
  networkStore.migrate(NETWORK_MIGRATIONS);
  const network: NetworkContext = {
    store: networkStore,
    clock: deps.clock,
    custodian,
    faults,
    matrix,
    agencies: new Map(deps.agencies.map((a) => [a.id, a])),
    records: new AccessRecords(networkStore, deps.clock, 'nws_access_records'),
  };
  const networkE2e = e2eKeyPairFrom(
    Buffer.from(hkdfSync('sha256', Buffer.from(deps.seed), 'kakehashi/jp-network/e2e', 'network', 32)),
  );
  const { networkAuth, jlisAuth } = createAuthenticators(deps, directory, networkStore, registry.store);

  const partyDeps = (id: string) => ({
    store: openOne(`agency-${id}`),
    clock: deps.clock,
    seed: deps.seed,
    trust: deps.trust,
    transport,
    directory,
  });
  const servers = new Map<string, IntermediaryServer>();
  for (const a of deps.agencies)
    if (PROVIDER_KINDS.has(a.kind) && directory[a.id])
      servers.set(a.id, new IntermediaryServer(a, credentialOf(a.id), partyDeps(a.id)));
  const portalAgency = network.agencies.get(PORTAL_AGENCY);
  if (!portalAgency)
    throw new KakehashiError(
      'config-invalid',
      `Japan's profile needs the ${PORTAL_AGENCY} agency (it runs the portal).`,
    );
  const portal = new Portal(portalAgency, credentialOf(PORTAL_AGENCY), {
    ...partyDeps(PORTAL_AGENCY),
    faults,
    matrix,
    jpkiCa: deps.credentials.jpkiCa,
    agencies: network.agencies,
  });
  const municipality = [...servers.values()].find((s) => s.agency.kind === 'municipality');
  const kiosk = municipality
    ? new Kiosk(municipality, { clock: deps.clock, trust: deps.trust, faults, jpkiCa: deps.credentials.jpkiCa })
    : undefined;
  const parties = new Map<string, AgencyParty>([...servers.entries(), [PORTAL_AGENCY, portal] as const]);
  const lifecycle = createLifecycle({ deps, stores, parties, servers, faults, custodian, registry });

  return {
    faults,
    custodian,
    registry,
    network,
    servers,
    portal,
    kiosk,
    stores,
    xborderIdentifiers: createXborderIdentifiers(registry, custodian),
    ...lifecycle,
    deps,
    directory,
    transport,
    networkE2e,
    networkAuth,
    jlisAuth,
    parties,
    credentialOf,
    trace: (operation, artefact, valid) =>
      recordHop(deps.traces, deps.clock, currentTrace(), {
        component: 'node',
        country: 'JP',
        operation: `jp-network: ${operation}`,
        direction: 'internal',
        artefact,
        verdict: { valid },
      }),
  };
}

/**
 * The receivers of signed requests: the network accepts every agency with a certificate, J-LIS every agency but
 * itself. Each pins the agencies' certificates and keeps its single-use `jti`s in its own store.
 */
function createAuthenticators(
  deps: CooperationNetworkDeps,
  directory: Record<string, string>,
  networkStore: Store,
  jlisStore: Store,
): { networkAuth: RequestAuthenticator; jlisAuth: RequestAuthenticator } {
  const partyIds = deps.agencies.map((a) => a.id).filter((id) => directory[id]);
  const pinned = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, directory[id] as string]));
  return {
    networkAuth: new RequestAuthenticator({
      store: networkStore,
      owner: 'network',
      clock: deps.clock,
      trust: deps.trust,
      directory: pinned(partyIds),
      audience: 'jp-network',
    }),
    jlisAuth: new RequestAuthenticator({
      store: jlisStore,
      owner: 'jlis',
      clock: deps.clock,
      trust: deps.trust,
      directory: pinned(partyIds.filter((id) => id !== JLIS_AGENCY)),
      audience: 'jp-jlis',
    }),
  };
}

/** Lazy seeding (end-to-end keys registered, data copies seeded and linked), reset and close. */
function createLifecycle(parts: {
  deps: CooperationNetworkDeps;
  stores: Record<string, Store>;
  parties: ReadonlyMap<string, AgencyParty>;
  servers: ReadonlyMap<string, IntermediaryServer>;
  faults: JpFaults;
  custodian: KeyCustodian;
  registry: JlisRegistry;
}): Pick<CooperationNetwork, 'ready' | 'reset' | 'close'> {
  const { deps, stores, parties, servers } = parts;
  let seeding: Promise<void> | undefined;
  return {
    ready: () => {
      seeding ??= (async () => {
        for (const p of parties.values()) await p.registerE2eKey();
        for (const s of servers.values()) {
          s.seedFromPersonas(deps.personas);
          await s.linkAll();
        }
      })().catch((e) => {
        seeding = undefined;
        throw e;
      });
      return seeding;
    },
    reset: () => {
      // The faults are the node's (PUT /admin/faults): its admin reset switches them back itself.
      for (const s of Object.values(stores)) {
        const tables = s.all<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_migrations'",
        );
        s.transaction(() => {
          for (const t of tables) s.exec(`DELETE FROM "${t.name}"`);
        });
      }
      parts.custodian.ensureKeys();
      parts.registry.enrolPersonas(deps.personas);
      seeding = undefined;
    },
    close: () => {
      for (const s of Object.values(stores)) s.close();
    },
  };
}
