import {
  type ComponentInfo,
  createComponentApp,
  createHubClient,
  mountAdmin,
  mountDocs,
  mountHealth,
  mountSecurityEvents,
  SecurityEvents,
} from '@kakehashi/core';
import { mountBlocks } from './blocks/mount-blocks.ts';
import { mountCsirt } from './csirt/mount-csirt.ts';
import { createRegistryCache } from './hub/registry-cache.ts';
import { buildNodeMetadata } from './metadata/build-metadata.ts';
import { createRegistration } from './metadata/registration.ts';
import { metadataRoutes } from './metadata/routes.ts';
import type { NationalNode, NodeDeps } from './node-deps.ts';
import { peerRoutes } from './peers/routes.ts';
import { profileRoutes } from './profiles/routes.ts';
import { createCertificateValidator } from './trust/certificate-validator.ts';
import { trustRoutes } from './trust/routes.ts';

const VERSION = '0.1.0';

const trustState = (s: { loaded: boolean; stale: boolean }) =>
  !s.loaded ? 'not-loaded' : s.stale ? 'stale' : 'loaded';

/**
 * A national node built from a country profile: it registers with the hub using signed metadata, keeps its
 * own verified copy of the trust fabric, discovers its peers through the hub and validates their
 * certificates. The building blocks (eID, eSignature, eDelivery, Japan's Cooperation Network, the once-only
 * evidence exchange) mount here, all with the same certificate validation.
 */
export function createNationalNode(deps: NodeDeps): NationalNode {
  const { profile, clock } = deps;
  const info: ComponentInfo = {
    component: 'node',
    country: profile.code,
    name: `National node ${profile.code} (${profile.name})`,
    version: VERSION,
  };
  // Every refusal of the blocks mounted here becomes a security event (GET /security/events).
  const security =
    deps.security ??
    new SecurityEvents({ store: deps.store, clock, component: 'node', country: profile.code, logger: deps.logger });
  const app = createComponentApp(info, { ...deps, security });
  const hub = createHubClient({ hubUrl: deps.hubUrl, fetch: deps.fetch, caller: `node:${profile.code}` });
  const validateCertificate = createCertificateValidator(deps.trust, profile.code, deps.faults);
  const registration = createRegistration({
    country: profile.code,
    metadata: () =>
      buildNodeMetadata({
        profile,
        name: info.name,
        url: deps.publicUrl,
        certificates: {
          signing: deps.credentials.signing.certPem,
          tls: deps.credentials.tls.certPem,
          encryption: deps.credentials.encryption.certPem,
        },
        clock,
      }),
    signing: deps.credentials.signing,
    hub,
    fetch: deps.fetch,
    clock,
    logger: deps.logger,
  });

  mountHealth(app, info, deps, () => ({
    registered: registration.registered(),
    // `stale`: the view is past a NextUpdate on the virtual clock (GET /trust/status says which list or CRL).
    trust: trustState(deps.trust.status()),
    hub: deps.hubUrl,
  }));
  mountDocs(
    app,
    info,
    `National node of ${profile.name} (${profile.nameLocal}). Personas, agencies, services, trust status, peer discovery. Test-only.`,
  );
  // The admin guard comes first: the blocks mount admin routes of their own (/admin/jp/…, /admin/edelivery/…).
  const resets: (() => void)[] = [() => security.clear()];
  mountAdmin(app, deps, {
    reset: () => {
      for (const r of resets) r();
    },
  });

  const registeredNodes = createRegistryCache(hub, clock);
  // The country's national CSIRT: its inbox hears every security event above; it reports and shares.
  const csirt = mountCsirt(app, deps, security, registeredNodes);
  resets.push(() => csirt.clear());
  const blocks = mountBlocks(app, {
    deps,
    info,
    hub,
    registeredNodes,
    validateCertificate,
  });
  resets.push(blocks.reset);
  mountSecurityEvents(app, deps, security);
  app.route('/', profileRoutes({ profile, personas: deps.personas }));
  app.route('/', metadataRoutes({ registration }));
  app.route('/', trustRoutes({ trust: deps.trust, validateCertificate, clock, faults: deps.faults }));
  app.route('/', peerRoutes({ hub, country: profile.code, validateCertificate, clock }));

  // The faults the `faults` option switches on at start (for every component, or this country's: `DE:lenient.*`).
  deps.faults.applyStart(deps.config.get('faults'), profile.code);

  const start = async (options: { attempts?: number; delayMs?: number } = {}) => {
    const attempts = options.attempts ?? 30;
    for (let i = 1; ; i++) {
      try {
        if (!deps.trust.status().loaded) await deps.trust.refresh(deps.fetch);
        await registration.register();
        return;
      } catch (e) {
        if (i >= attempts) throw e;
        deps.logger.debug('hub not ready, retrying', {
          attempt: i,
          reason: e instanceof Error ? e.message : String(e),
        });
        await new Promise((r) => setTimeout(r, options.delayMs ?? 300));
      }
    }
  };

  return {
    app,
    info,
    start,
    register: registration.register,
    metadata: registration.metadata,
    ...(deps.cards ? { cards: deps.cards } : {}),
    ...(blocks.jpNetwork ? { jpNetwork: blocks.jpNetwork } : {}),
    issueIdToken: blocks.issueIdToken,
    security,
    csirt,
    close: () => {
      blocks.stop();
      security.flush();
    },
  };
}
