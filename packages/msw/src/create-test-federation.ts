import { join } from 'node:path';
import { createLogger, LayeredConfig, type LogLevel } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation } from '@kakehashi/federation';
import { generatePersonas, type Loa, type Persona } from '@kakehashi/personas';
import type { HttpHandler } from 'msw';
import { type Call, createCall } from './admin-api.ts';
import { createTestClock, type TestClock } from './clock.ts';
import { type DeliverOptions, type Delivery, deliverThrough } from './deliver.ts';
import { createFaults, type Faults } from './faults.ts';
import { createFederationHandlers } from './handlers.ts';
import { type SignDocumentOptions, type SignedDocument, signDocumentAt } from './sign-document.ts';

/** The countries a federation can run, in their fixed port order. */
export type CountryCode = 'AT' | 'DE' | 'EE' | 'ES' | 'FR' | 'IT' | 'JP';
const ALL_COUNTRIES: readonly CountryCode[] = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];

/** The TEST-ONLY relying party registered at every node (any loopback redirect URI). */
export const DEMO_CLIENT = { id: 'kakehashi-demo-rp', secret: 'kakehashi-demo-secret' } as const;

export interface TestFederationOptions<C extends CountryCode = CountryCode> {
  /** The national nodes to run (default all seven). Fewer start faster. */
  countries?: readonly C[];
  /** Seed of every key, certificate and persona (default `kakehashi-demo`, as `kakehashi start`). */
  seed?: string;
  /** Start the virtual clock frozen at this instant (default: real time, running). */
  clockStart?: Date | string;
  /** Port of the hub's origin; the nodes take the ports after it (default 7000). Nothing listens on them. */
  port?: number;
  /** Host of the origins (default `127.0.0.1`). */
  host?: string;
  /** Where generated trust material is cached between runs (default `node_modules/.cache/kakehashi-trust`). */
  trustCacheDir?: string;
  /** Log level of the federation's components (default `error`: a test's output stays its own). */
  logLevel?: LogLevel;
  /** Any other federation option by key (`adminToken`, `clockSkewSeconds`, …; see the README's configuration table). */
  config?: Record<string, unknown>;
}

/** An ID-token fault (`id-token.alg-none`, `id-token.expired`, …: the README's faults table). */
export type IdTokenFault = NonNullable<
  Parameters<NonNullable<ReturnType<Federation['nodes']['get']>>['issueIdToken']>[0]['fault']
>;

export interface IssueIdTokenOptions<C extends CountryCode = CountryCode> {
  /** The node whose OIDC provider issues (and signs) the token. */
  country: C;
  /** One of the node's personas, or its id (default the node's first persona). */
  persona?: Persona | string;
  /** The relying party (`aud`, `azp`); default the demo RP. */
  audience?: string;
  /** Claims added or replaced after the node's own; the token stays signed by the node. */
  claims?: Record<string, unknown>;
  nonce?: string;
  acr?: Loa;
  /** The RP's redirect URI: its host is the pairwise sector when the client registered none. */
  redirectUri?: string;
  /** TEST ONLY: the token gets exactly this defect, as a login asking for it with `kakehashi_fault` would. */
  fault?: IdTokenFault;
}

export interface TestFederation<C extends CountryCode = CountryCode> {
  /** The origin of every component: `{ hub: 'http://127.0.0.1:7000', DE: 'http://127.0.0.1:7002', … }`. */
  origins: { hub: string } & Record<C, string>;
  /** msw request handlers answering every request to those origins from this process (no sockets, no ports). */
  handlers: HttpHandler[];
  /** The synthetic personas of each node (what its `GET /personas` lists). */
  personas: Record<C, readonly Persona[]>;
  /** The federation's one virtual clock. */
  clock: TestClock;
  /** The fault switches, typed. */
  faults: Faults;
  /** The admin bearer token of every component. */
  adminToken: string;
  /** A fetch that reaches the federation directly (without msw); any other origin goes to the network. */
  fetch: typeof fetch;
  /** The federation underneath (hub, nodes, config), for what this kit does not wrap. */
  federation: Federation;
  /** An ID token as the node's token endpoint would issue it after a login (signed by the node's provider key). */
  issueIdToken(options: IssueIdTokenOptions<C>): Promise<string>;
  /** A signature from the node's signature service (`POST /esig/sign`). */
  signDocument(options: SignDocumentOptions & { country: C }): Promise<SignedDocument>;
  /** An AS4 message from one node's backend to a participant of another, sent before this returns. */
  deliver(options: DeliverOptions): Promise<Delivery>;
  /** Registers a relying party at a node (`POST /admin/oidc/clients`). */
  registerClient(country: C, registration: Record<string, unknown>): Promise<void>;
  /** Stops the federation (timers, stores). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Runs a Kakehashi federation inside the test process — the hub and the national nodes, with the trust fabric
 * generated from the seed — and returns what an application's tests need to talk to it through msw:
 *
 * ```ts
 * const fed = await createTestFederation({ countries: ['DE', 'JP'] });
 * const server = setupServer(...fed.handlers);
 * server.listen({ onUnhandledRequest: 'error' });
 * ```
 *
 * Every component keeps its full HTTP stack (middleware, validation, problem+json, cookies, redirects); only the
 * sockets are gone. The origins are the ones the federation would listen on, so issuers, redirect URIs and
 * signed metadata are the real ones.
 */
export async function createTestFederation<const C extends CountryCode = CountryCode>(
  options: TestFederationOptions<C> = {},
): Promise<TestFederation<C>> {
  const countries = (options.countries ?? ALL_COUNTRIES) as readonly C[];
  const clockStart = options.clockStart instanceof Date ? options.clockStart.toISOString() : options.clockStart;
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    env: {},
    cli: {
      seed: options.seed ?? 'kakehashi-demo',
      dataDir: ':memory:',
      countries: [...countries],
      port: options.port ?? 7000,
      host: options.host ?? '127.0.0.1',
      trustCacheDir: options.trustCacheDir ?? join(process.cwd(), 'node_modules', '.cache', 'kakehashi-trust'),
      healthIntervalMs: 0,
      logLevel: options.logLevel ?? 'error',
      ...(clockStart ? { clockStart } : {}),
      ...options.config,
    },
  });
  const federation = await createFederation({
    config,
    mode: 'in-process',
    logger: createLogger({ level: () => config.get('logLevel'), format: config.get('logFormat') }),
  });
  const nodes = federation.urls.nodes as Record<C, string>;
  const origins = { hub: federation.urls.hub, ...nodes };
  const adminToken = config.get('adminToken');
  const call: Call = createCall(federation.fetch, adminToken);
  const seed = config.get('seed');
  const personas = Object.fromEntries(countries.map((cc) => [cc, generatePersonas(seed, cc)])) as unknown as Record<
    C,
    readonly Persona[]
  >;
  const nodeOf = (cc: C) => {
    const node = federation.nodes.get(cc);
    if (!node) throw new Error(`No node ${cc} in this test federation (it runs ${countries.join(', ')}).`);
    return node;
  };
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= federation.close();
    return closed;
  };

  return {
    origins,
    handlers: createFederationHandlers(Object.values(origins), federation.fetch),
    personas,
    clock: createTestClock(federation.clock),
    faults: createFaults(call, origins),
    adminToken,
    fetch: federation.fetch,
    federation,
    issueIdToken: (o) => {
      const persona = o.persona ?? personas[o.country]?.[0];
      if (!persona) throw new Error(`Node ${o.country} has no persona`);
      return nodeOf(o.country).issueIdToken({
        personaId: typeof persona === 'string' ? persona : persona.id,
        audience: o.audience ?? DEMO_CLIENT.id,
        ...(o.claims ? { claims: o.claims } : {}),
        ...(o.nonce ? { nonce: o.nonce } : {}),
        ...(o.acr ? { acr: o.acr } : {}),
        ...(o.redirectUri ? { redirectUri: o.redirectUri } : {}),
        ...(o.fault ? { fault: o.fault } : {}),
      });
    },
    signDocument: (o) => signDocumentAt(call, nodes[o.country], o),
    deliver: (o) => deliverThrough(call, nodes, o),
    registerClient: async (cc, registration) => {
      await call('POST', `${nodes[cc]}/admin/oidc/clients`, registration, { admin: true });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
