import { LayeredConfig, parseTraceparent } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation } from '@kakehashi/federation';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The one-process federation (`kakehashi start`) delivers a hop between two of its components straight into the
 * other's app, with the same traces and checks; a component alone in its process (`--only`, containers) reaches
 * the others over real HTTP. `globalThis.fetch` is watched: every call that goes to the network passes there.
 */
describe('internal hops between components of one process', () => {
  const real = globalThis.fetch;
  let network: string[] = [];
  const running: Federation[] = [];
  beforeEach(() => {
    network = [];
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      network.push(new Request(input, init).url);
      return real(input, init);
    }) as typeof fetch;
  });
  afterEach(() => {
    globalThis.fetch = real;
  });
  afterAll(async () => {
    for (const f of running.reverse()) await f.close();
  });
  const config = (extra: Record<string, string>) =>
    new LayeredConfig(FEDERATION_OPTIONS, {
      cli: { dataDir: ':memory:', port: '0' },
      env: {
        KAKEHASHI_SEED: 'kakehashi-test',
        KAKEHASHI_HEALTH_INTERVAL_MS: '0',
        KAKEHASHI_LOG_LEVEL: 'warn',
        ...extra,
      },
    });
  const origins = (f: Federation) => [f.urls.hub, ...Object.values(f.urls.nodes)];
  const onNetworkTo = (urls: string[]) => network.filter((u) => urls.some((o) => u.startsWith(`${o}/`)));

  it('hub and nodes in one process: no hop goes through a socket, every hop is traced on both sides', async () => {
    const f = await createFederation({ config: config({ KAKEHASHI_COUNTRIES: 'DE,JP' }), mode: 'listen' });
    running.push(f);
    // Start-up (trust fabric loaded from the hub, registrations) went into the apps, not over the network.
    expect(onNetworkTo(origins(f))).toEqual([]);
    expect(
      f.hub?.registry
        .list()
        .map((n) => n.country)
        .sort(),
    ).toEqual(['DE', 'JP']);

    // A request from outside comes over the socket; the node's hop to the hub does not.
    network = [];
    const res = await real(`${f.urls.nodes.DE}/peers/JP`);
    expect(res.status).toBe(200);
    expect(onNetworkTo(origins(f))).toEqual([]);
    const trace = parseTraceparent(res.headers.get('traceparent') ?? undefined);
    expect(trace).toBeDefined();
    const events = f.hub?.traces.events(trace?.traceId as string) ?? [];
    const nodeIn = events.find((e) => e.component === 'node' && e.direction === 'inbound');
    const hubIn = events.find((e) => e.component === 'hub' && e.direction === 'inbound');
    expect(nodeIn?.operation).toBe('GET /peers/JP');
    // The hub's hop is a child of the node's request, and names its caller: the same trace as over a socket.
    expect(hubIn).toBeDefined();
    expect(events.some((e) => e.parentSpanId === nodeIn?.spanId || e.spanId === hubIn?.parentSpanId)).toBe(true);
    // The sockets still serve callers from outside.
    expect((await real(`${f.urls.hub}/health`)).status).toBe(200);
  }, 300_000);

  it('a component alone in its process reaches the hub over real HTTP', async () => {
    const hub = await createFederation({ config: config({ KAKEHASHI_COUNTRIES: 'DE' }), mode: 'listen', only: 'hub' });
    running.push(hub);
    network = [];
    const node = await createFederation({
      config: config({ KAKEHASHI_COUNTRIES: 'DE', KAKEHASHI_HUB_URL: hub.urls.hub }),
      mode: 'listen',
      only: 'node:DE',
    });
    running.push(node);
    expect(onNetworkTo([hub.urls.hub]).length).toBeGreaterThan(0);
    expect(hub.hub?.registry.list().map((n) => n.country)).toEqual(['DE']);
  }, 300_000);
});
