import { join } from 'node:path';
import {
  createLogger,
  type FaultSwitchboard,
  LayeredConfig,
  type LayeredConfigInput,
  type Logger,
  openStore,
  SeededRandom,
  type Store,
  type TraceSink,
  VirtualClock,
} from '@kakehashi/core';
import type { Hub } from '@kakehashi/hub';
import { COUNTRY_PROFILES, getProfile, type NationalNode } from '@kakehashi/node';
import { VerificationMemo } from '@kakehashi/trust';
import { checkFaultsOption } from './check-faults-option.ts';
import { type Composition, composeHub, composeNode, createForwardingSink } from './compose-components.ts';
import { createInProcessFetch, type FetchHandler } from './in-process-fetch.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { advertisedUrls } from './public-url.ts';
import type { ScenarioRegistry } from './scenario-runner.ts';
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
  /**
   * Wraps the outbound `fetch` every component uses (tests: make one origin unreachable or slow; a proxy).
   * Applied in both modes, around the in-process routing or the real network.
   */
  wrapFetch?: (inner: typeof fetch) => typeof fetch;
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
  /**
   * The faults switched on now, by component running here (`hub`, `node:DE`; components with none are left out):
   * deliberate weaknesses, which the start banner lists.
   */
  faultsInForce(): Record<string, string[]>;
  close(): Promise<void>;
}

/** The countries in the fixed port order: the profile order, filtered by the `countries` option. */
export function federationCountries(config: FederationConfig): string[] {
  const wanted = new Set(config.get('countries').map((c) => c.toUpperCase()));
  for (const cc of wanted) getProfile(cc); // throws unknown-country with the list of known codes
  return COUNTRY_PROFILES.map((p) => p.code).filter((cc) => wanted.has(cc));
}

/**
 * How long a file store gathers trace events, audit appends and replay entries before writing them (core's
 * `OpenStoreOptions.writeBehindMs`): measured on the ID-token validation service, 10 ms instead of the next turn
 * took ~14 % off its CPU per request (fewer, larger transactions). Reads and shutdown write them first.
 */
const WRITE_BEHIND_MS = 10;

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
  // A fault entry that names nothing is a typo, found before any port is bound.
  checkFaultsOption(config.get('faults'), countries);
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
  // What the components are known by: the bound URLs, or the `publicUrl` option's (a proxy, a container, a host).
  const urls = advertisedUrls(sockets?.urls ?? configuredUrls, {
    publicUrl: config.get('publicUrl'),
    hubUrlConfigured: config.get('hubUrl') !== '',
    running: { hub: only.hub, nodes: countries.filter((c) => only.nodes.has(c)) },
  });
  const memory = dataDir === ':memory:';
  const trustCacheDir =
    init.trustCacheDir ||
    config.get('trustCacheDir') ||
    (memory ? join(process.cwd(), 'node_modules', '.cache', 'kakehashi-trust') : join(dataDir, 'trust'));
  const material = await loadTrustMaterial({ seed, countries, cacheDir: trustCacheDir, hubUrl: urls.hub, logger });
  logger.debug('trust material ready', { ms: Math.round(performance.now() - started) });

  // A hop between two components of this process goes straight into the other's app (its whole HTTP stack, traces
  // and checks, no socket): in-process mode, and listening when this process runs several components. A component
  // alone in its process (--only, containers) reaches the others over real HTTP, and so does a component whose
  // advertised URL is not the one it is bound at (publicUrl: a proxy or a host in between).
  const routes = new Map<string, FetchHandler>();
  const direct = mode === 'in-process' || (only.hub && only.nodes.size > 0);
  const routable = (advertised: string, bound: string | undefined) =>
    direct && (mode === 'in-process' || new URL(advertised).origin === (bound && new URL(bound).origin));
  const baseFetch: typeof fetch = direct ? createInProcessFetch(routes) : globalThis.fetch;
  const fetchImpl = init.wrapFetch ? init.wrapFetch(baseFetch) : baseFetch;
  const stores: Store[] = [];
  const switchboards = new Map<string, FaultSwitchboard>();
  const composition: Composition = {
    switchboards,
    config,
    logger,
    clock,
    random: new SeededRandom(seed),
    seed,
    urls,
    material,
    memo: new VerificationMemo(),
    fetch: fetchImpl,
    open: (name) => {
      // A file store gathers what is written behind requests for a few ms: one commit for many requests' entries.
      const s = openStore({
        name,
        dataDir: memory ? ':memory:' : dataDir,
        writeBehindMs: memory ? 0 : WRITE_BEHIND_MS,
      });
      stores.push(s);
      return s;
    },
  };
  // In order at close (SIGTERM's path too): components stop, nodes apart from the hub send their last trace
  // events, then the sockets close, then the stores (which write what is queued behind requests first).
  const closers: (() => void | Promise<void>)[] = [];

  let hub: Hub | undefined;
  if (only.hub) {
    const composed = composeHub(composition, init.scenarios ?? {});
    hub = composed.hub;
    closers.push(() => composed.hub.close());
    if (routable(urls.hub, sockets?.urls.hub)) routes.set(urls.hub, composed.origin);
    sockets?.hub?.serve(composed.origin);
    init.onReady?.({ component: 'hub', url: urls.hub });
    logger.debug('hub built', { ms: Math.round(performance.now() - started) });
  }

  const nodes = new Map<string, NationalNode>();
  for (const cc of countries.filter((c) => only.nodes.has(c))) {
    // Apart from the hub, each node reports its own events, signed with its registered key.
    const forwarding = hub
      ? undefined
      : createForwardingSink(fetchImpl, urls.hub, logger, {
          country: cc,
          key: composition.material.nodeCredentials(cc).signing.privateKey,
        });
    const node = composeNode(composition, cc, hub?.traces ?? (forwarding as TraceSink));
    nodes.set(cc, node);
    closers.push(() => node.close());
    // Bounded: a hub that does not answer must not hold the shutdown; what is left unsent is logged with its count.
    if (forwarding)
      closers.push(async () => {
        await withDeadline(forwarding.flush(), 3000);
        if (forwarding.pending() > 0)
          logger.warn('trace events not sent to the hub before shutdown', { country: cc, lost: forwarding.pending() });
      });
    if (routable(urls.nodes[cc] as string, sockets?.urls.nodes[cc])) routes.set(urls.nodes[cc] as string, node.app);
    sockets?.nodes.get(cc)?.serve(node.app);
  }
  logger.debug('nodes built', { ms: Math.round(performance.now() - started), nodes: nodes.size });
  // Nodes load the trust fabric and register once their own server is up (in parallel).
  await Promise.all(
    [...nodes.entries()].map(async ([cc, node]) => {
      await node.start({ attempts: only.hub ? 3 : 60, delayMs: 500 });
      init.onReady?.({ component: 'node', country: cc, url: urls.nodes[cc] as string });
    }),
  );

  logger.debug('nodes started and registered', { ms: Math.round(performance.now() - started) });
  // The wallet keys certified for this start, kept with the trust material for the next (a warm start takes them).
  try {
    material.storeCertifiedKeys();
  } catch (e) {
    logger.warn('wallet keys not stored with the trust material', {
      reason: e instanceof Error ? e.message : String(e),
    });
  }
  return {
    config,
    clock,
    logger,
    hub,
    nodes,
    urls,
    fetch: fetchImpl,
    startupMs: Math.round(performance.now() - started),
    faultsInForce: () =>
      Object.fromEntries(
        [...switchboards.entries()].map(([k, b]) => [k, b.enabled()] as const).filter(([, on]) => on.length > 0),
      ),
    close: async () => {
      for (const c of closers) await c();
      await sockets?.close();
      for (const s of stores) s.close();
    },
  };
}

/** `work`, or `ms` later without it (the timer does not keep the process alive). */
function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
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
