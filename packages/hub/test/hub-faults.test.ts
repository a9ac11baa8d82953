import { FaultSwitchboard } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { staleMetadata } from '../src/discovery/routes.ts';
import { HUB_FAULTS, relayDelay, relayFaults } from '../src/faults/hub-faults.ts';
import type { RegisteredNode } from '../src/registry/registry-store.ts';

describe("the hub's faults", () => {
  it('are outages one request may ask for', () => {
    expect(HUB_FAULTS.map((f) => [f.name, f.block, f.kind, f.perRequest])).toEqual([
      ['hub.relay-slow', 'hub', 'outage', true],
      ['hub.relay-failing', 'hub', 'outage', true],
      ['hub.discovery-stale', 'hub', 'outage', true],
    ]);
  });

  it('the slow relay waits its time, or less when the caller gives up (never a hang)', async () => {
    expect(await relayDelay(5, undefined)).toBe(true);
    const controller = new AbortController();
    const waiting = relayDelay(60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(await relayDelay(60_000, AbortSignal.abort())).toBe(false);
  });

  it('a caller that gives up while the slow relay waits is abandoned: nothing is relayed for it', async () => {
    const faults = new FaultSwitchboard();
    faults.offer(HUB_FAULTS);
    const opts = { country: 'AT', delayMs: 60_000 };
    expect(await relayFaults(faults, { ...opts, signal: undefined })).toBe('relay');
    faults.set({ enable: ['hub.relay-slow'] });
    const controller = new AbortController();
    const waiting = relayFaults(faults, { ...opts, signal: controller.signal });
    controller.abort();
    expect(await waiting).toBe('abandoned');
    expect(await relayFaults(faults, { ...opts, delayMs: 1, signal: undefined })).toBe('relay');
    faults.set({ enable: ['hub.relay-failing'] });
    expect(await relayFaults(faults, { ...opts, signal: undefined })).toBe('fail');
  });

  it('stale discovery answers the previous registration, else the base URL in place of every endpoint', () => {
    const metadata = {
      country: 'AT',
      url: 'http://at.test',
      endpoints: { as4: 'http://at.test/as4' },
      services: [{ id: 's', name: 'n', block: 'edelivery', endpoint: 'http://at.test/as4' }],
      certificates: { signing: 'NEW', tls: 'T', encryption: 'NEW-ENC' },
    };
    const node = { country: 'AT', metadata } as unknown as RegisteredNode;
    const stale = staleMetadata(node, undefined);
    expect(stale.endpoints.as4).toBe('http://at.test');
    expect(stale.services.map((s) => s.endpoint)).toEqual(['http://at.test']);
    expect(stale.certificates.signing).toBe('NEW');
    const previous = { ...metadata, certificates: { ...metadata.certificates, signing: 'OLD' } };
    expect(staleMetadata(node, previous as never).certificates.signing).toBe('OLD');
  });
});
