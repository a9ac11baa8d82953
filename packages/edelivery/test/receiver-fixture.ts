import {
  type CertificateVerdict,
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  VirtualClock,
} from '@kakehashi/core';
import type { Discovery } from '../src/discovery/discovery.ts';
import { mountAccessPoint } from '../src/mount-access-point.ts';
import { AT, material } from './fixtures.ts';

export const RECIPIENT = 'urn:kakehashi:participant:jp:nta';
export const SERVICE = 'urn:kakehashi:service:evidence';

/**
 * JP's access point on a component of its own, receiving what DE's sender posts: its trust view and registry
 * lookup answer unless a test switches a failure in (`failing.trust`, `failing.registry`).
 */
export function receiver(name: string) {
  const m = material();
  const jp = m.countries.JP!;
  const clock = new VirtualClock();
  clock.freeze(AT);
  const store = openStore({ name });
  const logger = createMemoryLogger('warn');
  const deps = {
    store,
    clock,
    random: new SeededRandom(name),
    logger,
    config: new LayeredConfig(CORE_OPTIONS),
    fetch,
    traces: new MemoryTraceSink(),
    faults: new FaultSwitchboard(),
  };
  const app = createComponentApp({ component: 'node', country: 'JP', name: 'test JP', version: '0' }, deps);
  /** What the trust view and the registry lookup throw now (undefined: they answer). */
  const failing: { trust?: unknown; registry?: unknown } = {};
  const discovery: Discovery = {
    resolve: async () => {
      throw new Error('not used by the receiver');
    },
    registeredCertificate: async (country) => {
      if (failing.registry) throw failing.registry;
      return m.countries[country]?.signing.certPem;
    },
  };
  const ap = mountAccessPoint(app, {
    ...deps,
    country: 'JP',
    publicUrl: 'http://jp.test',
    signing: jp.signing,
    encryption: jp.encryption,
    participants: [{ id: RECIPIENT, name: 'NTA', services: [SERVICE] }],
    countries: ['DE', 'JP'],
    validateCertificate: (): CertificateVerdict => {
      if (failing.trust) throw failing.trust;
      return { valid: true, country: 'DE', checks: [] };
    },
    discovery,
    pollIntervalMs: 0,
  });
  return { app, store, messages: ap.store, logger, failing };
}
