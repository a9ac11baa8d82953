import { join } from 'node:path';
import { createConsole, documentConsoleRoutes, isConsolePath } from '@kakehashi/console';
import {
  createHubClient,
  createLogger,
  LayeredConfig,
  type LayeredConfigInput,
  type Logger,
  openStore,
  SeededRandom,
  type Store,
  type TraceEvent,
  type TraceSink,
  VirtualClock,
} from '@kakehashi/core';
import { readClientsFile } from '@kakehashi/eid';
import { createHub, createHubTrust, type Hub } from '@kakehashi/hub';
import {
  COUNTRY_PROFILES,
  createCardIssuer,
  createNationalNode,
  createNodeTrust,
  getProfile,
  type NationalNode,
} from '@kakehashi/node';
import { generatePersonas } from '@kakehashi/personas';
import { issueJpkiCertificates, VerificationMemo } from '@kakehashi/trust';
import { createInProcessFetch, type FetchHandler } from './in-process-fetch.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { describeScenariosOf, runScenarioOf, type ScenarioRegistry } from './scenario-runner.ts';
import { bindComponents } from './serve.ts';
import { loadTrustMaterial } from './trust-material.ts';

export type FederationConfig = LayeredConfig<typeof FEDERATION_OPTIONS>;

export interface FederationInit {
  config?: FederationConfig | LayeredConfigInput;
  logger?: Logger;
  /** Run only one component: `hub` or `node:CC` (the others are reached by URL). */
  only?: string | undefined;
  /** `listen`: each component on its own port; `in-process`: no sockets, fetch routed into the apps. */
  mode?: 'listen' | 'in-process';
  /** Where trust material is cached (default `<dataDir>/trust`, or a temp cache for `:memory:`). */
  trustCacheDir?: string;
  /**
   * The scenarios the teaching console lists and runs (the CLI passes the federation's registry, `SCENARIOS`);
   * none when absent.
   */
  scenarios?: ScenarioRegistry;
  /** Called once per component when it is ready. */
  onReady?: (event: { component: 'hub' | 'node'; country?: string; url: string }) => void;
}

export interface Federation {
  config: FederationConfig;
  clock: VirtualClock;
  logger: Logger;
  hub: Hub | undefined;
  nodes: Map<string, NationalNode>;
  /** Origins of every component of the federation (running here or not). */
  urls: { hub: string; nodes: Record<string, string> };
  /** `fetch` that reaches the federation (in-process routing in that mode). */
  fetch: typeof fetch;
  startupMs: number;
  close(): Promise<void>;
}

/** The countries in the fixed port order: the profile order, filtered by the `countries` option. */
export function federationCountries(config: FederationConfig): string[] {
  const wanted = new Set(config.get('countries').map((c) => c.toUpperCase()));
  for (const cc of wanted) getProfile(cc); // throws unknown-country with the list of known codes
  return COUNTRY_PROFILES.map((p) => p.code).filter((cc) => wanted.has(cc));
}

/**
 * The composition root: builds the trust fabric from the seed, the hub and every national node with their
 * explicit dependencies, and runs them in one process (each on its own port), one component alone, or
 * in-process for tests.
 */
export async function createFederation(init: FederationInit = {}): Promise<Federation> {
  const started = performance.now();
  const config =
    init.config instanceof LayeredConfig
      ? init.config
      : new LayeredConfig(FEDERATION_OPTIONS, init.config ?? { env: process.env });
  const logger = init.logger ?? createLogger({ level: () => config.get('logLevel'), format: config.get('logFormat') });
  const mode = init.mode ?? 'listen';
  const clock = new VirtualClock();
  if (config.get('clockStart')) clock.freeze(new Date(config.get('clockStart')));

  const seed = config.get('seed');
  const dataDir = config.get('dataDir');
  const host = config.get('host');
  const basePort = config.get('port');
  const countries = federationCountries(config);
  const only = parseOnly(init.only, countries);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const hubUrl = config.get('hubUrl') || `http://${hostInUrl}:${basePort}`;
  const configuredUrls = {
    hub: hubUrl,
    nodes: Object.fromEntries(countries.map((cc, i) => [cc, `http://${hostInUrl}:${basePort + 1 + i}`])) as Record<
      string,
      string
    >,
  };
  // Listening, every socket is bound before anything is built: with --port 0 the OS picks each port, and the
  // real URLs are what the trust material, the hub, the nodes and their registrations are built with.
  const sockets =
    mode === 'listen'
      ? await bindComponents({
          host,
          basePort,
          urls: configuredUrls,
          hub: only.hub,
          nodes: countries.filter((c) => only.nodes.has(c)),
        })
      : undefined;
  const urls = sockets?.urls ?? configuredUrls;
  const random = new SeededRandom(seed);
  const memory = dataDir === ':memory:';
  const trustCacheDir =
    init.trustCacheDir ||
    config.get('trustCacheDir') ||
    (memory ? join(process.cwd(), 'node_modules', '.cache', 'kakehashi-trust') : join(dataDir, 'trust'));
  const material = await loadTrustMaterial({ seed, countries, cacheDir: trustCacheDir, hubUrl: urls.hub, logger });
  logger.debug('trust material ready', { ms: Math.round(performance.now() - started) });

  const memo = new VerificationMemo();
  const scenarios = init.scenarios ?? {};
  const routes = new Map<string, FetchHandler>();
  const fetchImpl: typeof fetch = mode === 'in-process' ? createInProcessFetch(routes) : globalThis.fetch;
  const stores: Store[] = [];
  const open = (name: string) => {
    const s = openStore({ name, dataDir: memory ? ':memory:' : dataDir });
    stores.push(s);
    return s;
  };
  const closers: (() => void)[] = [];

  let hub: Hub | undefined;
  let hubSink: TraceSink | undefined;
  if (only.hub) {
    const hubStore = open('hub');
    const hubTrust = createHubTrust(material.material, {
      clock,
      store: hubStore,
      hubUrl: urls.hub,
      validityDays: () => config.get('trustListValidityDays'),
      memo,
    });
    hub = createHub({
      store: hubStore,
      clock,
      random: random.fork('hub'),
      logger: logger.child({ component: 'hub' }),
      config,
      fetch: fetchImpl,
      traces: { record: () => {} },
      trust: hubTrust,
      publicUrl: urls.hub,
    });
    hubSink = hub.traces;
    closers.push(() => hub?.close());
    // The teaching console is served next to the hub on its origin (/console), outside the hub's tracing.
    const hubApp = hub.app;
    const consoleApp = createConsole({
      hubUrl: urls.hub,
      nodes: urls.nodes,
      fetch: fetchImpl,
      scenarios: {
        list: () => describeScenariosOf(scenarios),
        run: (name) => runScenarioOf(scenarios, { urls, fetch: fetchImpl }, name),
      },
      adminTokenIsDefault: config.get('adminToken') === FEDERATION_OPTIONS.find((o) => o.key === 'adminToken')?.default,
      logger: logger.child({ component: 'console' }),
    });
    documentConsoleRoutes(hubApp);
    const hubOrigin: FetchHandler = {
      fetch: (request) => (isConsolePath(new URL(request.url).pathname) ? consoleApp : hubApp).fetch(request),
    };
    routes.set(urls.hub, hubOrigin);
    sockets?.hub?.serve(hubOrigin);
    init.onReady?.({ component: 'hub', url: urls.hub });
  }

  const nodes = new Map<string, NationalNode>();
  for (const cc of countries.filter((c) => only.nodes.has(c))) {
    const profile = getProfile(cc);
    const personas = generatePersonas(seed, cc);
    const sink = hubSink ?? createForwardingSink(fetchImpl, urls.hub, logger);
    const node = createNationalNode({
      store: open(`node-${cc.toLowerCase()}`),
      clock,
      random: random.fork(`node/${cc}`),
      logger: logger.child({ component: 'node', country: cc }),
      config,
      fetch: fetchImpl,
      traces: sink,
      profile,
      publicUrl: urls.nodes[cc] as string,
      hubUrl: urls.hub,
      credentials: material.nodeCredentials(cc),
      seed,
      trust: createNodeTrust({
        hub: createHubClient({ hubUrl: urls.hub, fetch: fetchImpl, caller: `node:${cc}` }),
        lotlSignerPem: material.lotlSignerPem(),
        clock,
        logger: logger.child({ component: 'node', country: cc }),
        memo,
      }),
      personas,
      ...(material.material.countries[cc]?.jpki
        ? { cards: createCardIssuer(personas, (person) => issueJpkiCertificates(material.material, person)) }
        : {}),
      oidcClients: readClientsFile(config.get('oidcClientsFile'), cc),
    });
    nodes.set(cc, node);
    closers.push(() => node.close());
    routes.set(urls.nodes[cc] as string, node.app);
    sockets?.nodes.get(cc)?.serve(node.app);
  }
  // Nodes load the trust fabric and register once their own server is up (in parallel).
  await Promise.all(
    [...nodes.entries()].map(async ([cc, node]) => {
      await node.start({ attempts: only.hub ? 3 : 60, delayMs: 500 });
      init.onReady?.({ component: 'node', country: cc, url: urls.nodes[cc] as string });
    }),
  );

  return {
    config,
    clock,
    logger,
    hub,
    nodes,
    urls,
    fetch: fetchImpl,
    startupMs: Math.round(performance.now() - started),
    close: async () => {
      for (const c of closers) c();
      await sockets?.close();
      for (const s of stores) s.close();
    },
  };
}

function parseOnly(only: string | undefined, countries: string[]): { hub: boolean; nodes: Set<string> } {
  if (!only) return { hub: true, nodes: new Set(countries) };
  if (only === 'hub') return { hub: true, nodes: new Set() };
  const m = /^node:([A-Za-z]{2})$/.exec(only);
  if (!m) throw new Error(`--only takes "hub" or "node:CC" (got "${only}")`);
  const cc = (m[1] as string).toUpperCase();
  getProfile(cc);
  if (!countries.includes(cc))
    throw new Error(`--only node:${cc}: ${cc} is not in the countries option (${countries.join(',')})`);
  return { hub: false, nodes: new Set([cc]) };
}

/** A trace sink for a component running apart from the hub: batches events and posts them to the hub. */
function createForwardingSink(fetchImpl: typeof fetch, hubUrl: string, logger: Logger): TraceSink {
  let buffer: TraceEvent[] = [];
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    const events = buffer.splice(0, 1000);
    buffer = buffer.length > 10_000 ? buffer.slice(-10_000) : buffer;
    if (events.length === 0) return;
    try {
      await fetchImpl(`${hubUrl}/traces/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    } catch (e) {
      logger.debug('trace events not delivered to the hub', {
        count: events.length,
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  };
  return {
    record: (e) => {
      buffer.push(e);
      if (!scheduled) {
        scheduled = true;
        setTimeout(() => void flush(), 200).unref();
      }
    },
  };
}
