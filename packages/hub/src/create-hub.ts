import type { ConfigView, CoreOptions } from '@kakehashi/core';
import {
  AuditLog,
  type ComponentApp,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  mountAdmin,
  mountDocs,
  mountHealth,
  mountSecurityEvents,
  SecurityEvents,
  type TraceSink,
} from '@kakehashi/core';
import type { CsirtNetwork } from '@kakehashi/csirt';
import type { EidOptions } from '@kakehashi/eid';
import { clearSamlTables, mountIdTokenValidation, mountSamlResponseValidation, resetEidState } from '@kakehashi/eid';
import { firedOcspFault, mountOcspResponder, mountSignatureService } from '@kakehashi/esig';
import { pushToNodes } from './admin/push-to-nodes.ts';
import { FederationResetSchema, resetFederation } from './admin/reset-federation.ts';
import { auditRoutes } from './audit/routes.ts';
import { mountNetwork } from './csirt/mount-network.ts';
import { discoveryRoutes } from './discovery/routes.ts';
import { eidProxyRoutes } from './eid-proxy/routes.ts';
import { evidenceBrokerRoutes } from './evidence/routes.ts';
import { HUB_FAULTS } from './faults/hub-faults.ts';
import { checkNodeHealth, startHealthPoller } from './health/poll-node-health.ts';
import { healthRoutes } from './health/routes.ts';
import type { HubOptions } from './options.ts';
import { RegistryStore } from './registry/registry-store.ts';
import { registryRoutes } from './registry/routes.ts';
import { revocationRoutes } from './revocation/routes.ts';
import { traceRoutes } from './traces/routes.ts';
import { TraceStore } from './traces/trace-store.ts';
import type { HubTrust } from './trust/hub-trust.ts';
import { trustFabricRoutes } from './trust-publication/fabric-routes.ts';
import { trustPublicationRoutes } from './trust-publication/routes.ts';

export interface HubDeps extends ComponentDeps {
  config: ConfigView<readonly [...CoreOptions, ...EidOptions, ...HubOptions]>;
  trust: HubTrust;
  /** The hub's public origin, e.g. `http://127.0.0.1:7000`. */
  publicUrl: string;
}

export interface Hub {
  app: ComponentApp;
  info: ComponentInfo;
  registry: RegistryStore;
  traces: TraceStore;
  audit: AuditLog;
  /** The hub's security events (`GET /security/events`). */
  security: SecurityEvents;
  /** The CSIRT network (`GET /csirt/feed`, TAXII 2.1). */
  csirt: CsirtNetwork;
  /** Polls every registered node's `/health` once. */
  checkHealth(): Promise<void>;
  close(): void;
}

const VERSION = '0.1.0';

/**
 * The Core Service Platform: node registry with signed metadata, directory and discovery (the SML/SMP
 * role), federation health, publication of the trust fabric, a hash-chained audit log and the trace store.
 * Construction only: the stores, the trace sink and the admin hooks, then one route module per feature.
 */
export function createHub(deps: HubDeps): Hub {
  const info: ComponentInfo = { component: 'hub', name: 'Kakehashi hub (Core Service Platform)', version: VERSION };
  const registry = new RegistryStore(deps.store);
  const traces = new TraceStore(deps.store);
  const audit = new AuditLog(deps.store, deps.clock);
  // The hub records its own hops straight into its trace store (and into the federation's sink).
  const sink: TraceSink = {
    record: (e) => {
      traces.record(e);
      deps.traces.record(e);
    },
  };
  // Every refusal of the hub's services and registry becomes a security event (GET /security/events).
  const security =
    deps.security ??
    new SecurityEvents({ store: deps.store, clock: deps.clock, component: 'hub', logger: deps.logger });
  const app = createComponentApp(info, { ...deps, traces: sink, security });
  // The hub's own faults (its relay and discovery), beside those of the blocks it mounts.
  deps.faults.offer(HUB_FAULTS);
  const push = pushToNodes({ registry, fetch: deps.fetch, config: deps.config, logger: deps.logger });
  const checkHealth = () => checkNodeHealth({ registry, clock: deps.clock, fetch: deps.fetch });
  const validateCertificate: HubTrust['validateCertificate'] = (pem, chain, opts) =>
    deps.trust.validateCertificate(pem, chain, opts);

  mountHealth(app, info, deps, () => ({ nodes: registry.list().length, countries: deps.trust.countries() }));
  mountDocs(
    app,
    info,
    'Registry, discovery, trust fabric, audit and traces of the Kakehashi federation. Every error is RFC 9457 problem+json with a stable `code`.',
  );
  // Mounted before the modules: its bearer check on /admin/* guards the revocation route too.
  let lastNow = deps.clock.nowMs();
  mountAdmin(app, deps, {
    // One virtual clock for the federation: nodes in other processes get the hub's time as an absolute,
    // idempotent `set` (nodes sharing the hub's clock object are unaffected by it). A clock moved back makes the
    // nodes reload the trust fabric: the lists and CRLs they hold would be dated in their future.
    clockChanged: async (state) => {
      const back = Date.parse(state.now) < lastNow;
      lastNow = Date.parse(state.now);
      await push('/admin/clock', { action: 'set', at: state.now, frozen: state.frozen });
      if (back) await push('/admin/trust/refresh', undefined);
    },
    resetSchema: FederationResetSchema,
    reset: async () => {
      const done = await resetFederation({
        registry,
        trust: deps.trust,
        audit,
        logger: deps.logger,
        push,
        clock: deps.clock,
        restartClock: () => {
          const start = deps.config.get('clockStart');
          if (start) deps.clock.freeze(new Date(start));
          else deps.clock.reset();
        },
        faultsInForce: () => deps.faults.enabled(),
        clearHubState: () => {
          traces.clear();
          resetEidState(deps.store);
          clearSamlTables(deps.store);
          security.clear();
          network.clear();
        },
      });
      lastNow = deps.clock.nowMs();
      return done;
    },
  });

  mountSecurityEvents(app, deps, security);
  // eID: the ID-token validation service (issuers = the registry's oidcIssuer endpoints).
  mountIdTokenValidation(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    resolveIssuer: async (issuer) => {
      const node = registry.list().find((n) => n.metadata.endpoints.oidcIssuer === issuer);
      return node ? { country: node.country, jwksUri: `${issuer}/oidc/jwks` } : undefined;
    },
    validateCertificate,
  });
  // eID: the SAML response validation service (IdPs = the registry's nodes, their /saml/idp/metadata).
  mountSamlResponseValidation(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    registeredNodes: async () => registry.list().map((n) => n.metadata),
    validateCertificate,
  });
  // eSignature: the validation service, against the hub's own verified lists, CRLs and OCSP responders.
  mountSignatureService(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    validateCertificate,
    // The hub publishes the CRLs itself: read them directly (only its own CRL URLs).
    loadCrl: async (crlUrl) => {
      const prefix = `${deps.publicUrl}/trust/crl/`;
      if (!crlUrl.startsWith(prefix) || !crlUrl.endsWith('.crl')) return undefined;
      return deps.trust.crlDer(crlUrl.slice(prefix.length, -4));
    },
    // …and runs the OCSP responders: ask them in process (only its own responder URLs).
    loadOcsp: async (url, requestDer) => {
      const prefix = `${deps.publicUrl}/trust/ocsp/`;
      if (!url.startsWith(prefix)) return undefined;
      const caName = url.slice(prefix.length);
      return deps.trust.ocspResponder?.(caName)?.respond(requestDer, firedOcspFault(deps.faults, caName)).der;
    },
  });
  // OCSP responders (RFC 6960), one per CA, from the same revocation records as the CRLs.
  mountOcspResponder(app, {
    ...deps,
    traces: sink,
    component: 'hub',
    responderFor: (caName) => deps.trust.ocspResponder?.(caName),
  });

  app.route(
    '/',
    eidProxyRoutes({
      registry,
      clock: deps.clock,
      traces: sink,
      logger: deps.logger,
      faults: deps.faults,
      relaySlowMs: () => deps.config.get('relaySlowMs'),
    }),
  );
  app.route('/', evidenceBrokerRoutes({ registry }));
  app.route('/', trustPublicationRoutes({ trust: deps.trust, publicUrl: deps.publicUrl, faults: deps.faults }));
  app.route('/', trustFabricRoutes({ trust: deps.trust }));
  app.route(
    '/',
    registryRoutes({
      registry,
      audit,
      trust: deps.trust,
      clock: deps.clock,
      config: deps.config,
      logger: deps.logger,
      traces: sink,
    }),
  );
  app.route('/', discoveryRoutes({ registry, faults: deps.faults }));
  // The CSIRT network: members share STIX bundles, the feed and TAXII 2.1 collection serve them.
  const network = mountNetwork(app, deps, registry);
  app.route('/', healthRoutes({ registry, checkHealth }));
  app.route('/', auditRoutes({ audit }));
  app.route(
    '/',
    traceRoutes({
      traces,
      registry,
      trust: deps.trust,
      now: () => deps.clock.now(),
      adminToken: () => deps.config.get('adminToken'),
    }),
  );
  app.route(
    '/',
    revocationRoutes({ trust: deps.trust, audit, clock: deps.clock, logger: deps.logger, pushToNodes: push }),
  );

  const stopPolling = startHealthPoller(deps.config, checkHealth);
  // The faults the `faults` option switches on at start (for every component, or `hub:` ones).
  deps.faults.applyStart(deps.config.get('faults'), 'hub');
  // Trace events and audit entries are written behind the request: close writes what waits (the store's close does too).
  const close = () => {
    stopPolling();
    traces.flush();
    audit.flush();
    security.flush();
  };
  return { app, info, registry, traces, audit, security, csirt: network, checkHealth, close };
}
