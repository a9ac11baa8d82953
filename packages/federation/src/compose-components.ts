import type { KeyObject } from 'node:crypto';
import { createConsole, documentConsoleRoutes, isConsolePath } from '@kakehashi/console';
import {
  createHubClient,
  FaultSwitchboard,
  type LayeredConfig,
  type Logger,
  type SeededRandom,
  type Store,
  type TraceEvent,
  type TraceSink,
  type VirtualClock,
} from '@kakehashi/core';
import { readClientsFile } from '@kakehashi/eid';
import { createHub, createHubTrust, type Hub } from '@kakehashi/hub';
import {
  createCardIssuer,
  createNationalNode,
  createNodeTrust,
  getProfile,
  type NationalNode,
  signTraceEvents,
} from '@kakehashi/node';
import { generatePersonas } from '@kakehashi/personas';
import { issueJpkiCertificates, type VerificationMemo } from '@kakehashi/trust';
import type { FetchHandler } from './in-process-fetch.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { describeScenariosOf, type ScenarioRegistry } from './scenario-runner.ts';
import { runScenarioReversibly } from './scenario-undo.ts';
import type { LoadedMaterial } from './trust-material.ts';
import { walletEntityLists } from './wallet-trust-lists.ts';

/** What every component of the federation is built from: one config, clock, seed, trust material and fetch. */
export interface Composition {
  config: LayeredConfig<typeof FEDERATION_OPTIONS>;
  logger: Logger;
  clock: VirtualClock;
  random: SeededRandom;
  seed: string;
  /** The origins of every component (running here or not). */
  urls: { hub: string; nodes: Record<string, string> };
  material: LoadedMaterial;
  /** Shared by the hub's and the nodes' trust, so the same signed bytes are verified once per process. */
  memo: VerificationMemo;
  /** Outbound fetch (in-process routing in that mode). */
  fetch: typeof fetch;
  /** Opens a component's store (the composition closes them all). */
  open(name: string): Store;
  /** Each component's fault switches, by `hub` or `node:CC` (what the start banner lists as in force). */
  switchboards: Map<string, FaultSwitchboard>;
}

/** A component's fault switches, kept in the composition so the federation can say which are on. */
function switchboardFor(c: Composition, key: string): FaultSwitchboard {
  const faults = new FaultSwitchboard();
  c.switchboards.set(key, faults);
  return faults;
}

/**
 * The hub with its trust (publication, revocation, validation over the generated material) and, on its origin,
 * the teaching console (`/console`, outside the hub's tracing) listing and running `scenarios`.
 */
export function composeHub(c: Composition, scenarios: ScenarioRegistry): { hub: Hub; origin: FetchHandler } {
  const store = c.open('hub');
  const trust = createHubTrust(c.material.material, {
    clock: c.clock,
    store,
    hubUrl: c.urls.hub,
    validityDays: () => c.config.get('trustListValidityDays'),
    memo: c.memo,
    entityLists: () => walletEntityLists(c.material.material, c.seed),
  });
  const hub = createHub({
    store,
    clock: c.clock,
    random: c.random.fork('hub'),
    logger: c.logger.child({ component: 'hub' }),
    config: c.config,
    fetch: c.fetch,
    traces: { record: () => {} },
    faults: switchboardFor(c, 'hub'),
    trust,
    publicUrl: c.urls.hub,
  });
  const consoleApp = createConsole({
    hubUrl: c.urls.hub,
    nodes: c.urls.nodes,
    fetch: c.fetch,
    scenarios: {
      list: () => describeScenariosOf(scenarios),
      // Every run from the console is undone (clock, revocations, faults), so a class can repeat it at will.
      run: (name) =>
        runScenarioReversibly(scenarios, { urls: c.urls, fetch: c.fetch }, name, {
          adminToken: c.config.get('adminToken'),
        }),
    },
    adminTokenIsDefault: c.config.get('adminToken') === FEDERATION_OPTIONS.find((o) => o.key === 'adminToken')?.default,
    adminToken: () => c.config.get('adminToken'),
    logger: c.logger.child({ component: 'console' }),
  });
  documentConsoleRoutes(hub.app);
  const origin: FetchHandler = {
    fetch: (request) => (isConsolePath(new URL(request.url).pathname) ? consoleApp : hub.app).fetch(request),
  };
  return { hub, origin };
}

/**
 * The national node of `cc`: its profile, personas, credentials from the trust material, its own trust view of
 * the hub's publication (the pinned LOTL signer), Japan's card issuer, and the relying parties of the clients file.
 */
export function composeNode(c: Composition, cc: string, traces: TraceSink): NationalNode {
  const personas = generatePersonas(c.seed, cc);
  const logger = c.logger.child({ component: 'node', country: cc });
  const { material } = c.material;
  return createNationalNode({
    store: c.open(`node-${cc.toLowerCase()}`),
    clock: c.clock,
    random: c.random.fork(`node/${cc}`),
    logger,
    config: c.config,
    fetch: c.fetch,
    traces,
    faults: switchboardFor(c, `node:${cc}`),
    profile: getProfile(cc),
    publicUrl: c.urls.nodes[cc] as string,
    hubUrl: c.urls.hub,
    credentials: c.material.nodeCredentials(cc),
    seed: c.seed,
    trust: createNodeTrust({
      hub: createHubClient({ hubUrl: c.urls.hub, fetch: c.fetch, caller: `node:${cc}` }),
      lotlSignerPem: c.material.lotlSignerPem(),
      clock: c.clock,
      logger,
      memo: c.memo,
    }),
    personas,
    ...(material.countries[cc]?.jpki
      ? { cards: createCardIssuer(personas, (person) => issueJpkiCertificates(material, person)) }
      : {}),
    oidcClients: readClientsFile(c.config.get('oidcClientsFile'), cc),
  });
}

/**
 * A trace sink for a node running apart from the hub: batches its events and posts them to the hub signed with
 * the node's registered signing key (`{ signedEvents }`; the hub stores events of registered components only, and
 * only a node's own). An event without a country is the node's. `flush()` sends what waits (the federation's
 * close, so SIGTERM too); past 10,000 waiting events the oldest are dropped, counted and logged.
 */
export function createForwardingSink(
  fetchImpl: typeof fetch,
  hubUrl: string,
  logger: Logger,
  signer: { country: string; key: KeyObject },
): TraceSink & { flush(): Promise<void>; pending(): number } {
  const buffer: TraceEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let dropped = 0;
  const flush = async () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    // Batches of 200 keep a signed body (base64url, a third larger) under the hub's body limit.
    for (let events = buffer.splice(0, 200); events.length > 0; events = buffer.splice(0, 200)) {
      try {
        const res = await fetchImpl(`${hubUrl}/traces/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signedEvents: await signTraceEvents(signer.country, events, signer.key) }),
        });
        if (!res.ok) logger.debug('trace events refused by the hub', { count: events.length, status: res.status });
        await res.body?.cancel();
      } catch (e) {
        logger.debug('trace events not delivered to the hub', {
          count: events.length,
          reason: e instanceof Error ? e.message : String(e),
        });
      }
    }
  };
  return {
    record: (e) => {
      buffer.push(e.country === undefined ? { ...e, country: signer.country } : e);
      if (buffer.length > 10_000) {
        dropped += buffer.splice(0, buffer.length - 10_000).length;
        if (dropped === 1 || dropped % 1000 === 0)
          logger.warn('trace events dropped: the hub does not take them as fast as they come', { dropped });
      }
      if (timer === undefined) {
        timer = setTimeout(() => void flush(), 200);
        timer.unref();
      }
    },
    flush,
    pending: () => buffer.length,
  };
}
