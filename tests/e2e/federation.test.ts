import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { poll } from '../support/wait.ts';

const ALL = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];

describe('federation in one process (in-process mode)', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation();
  }, 180_000);
  afterAll(() => f?.dispose());

  it('runs a hub and seven national nodes on the fixed port order', () => {
    expect(f.urls.hub).toBe('http://127.0.0.1:7000');
    expect(Object.keys(f.urls.nodes)).toEqual(ALL);
    expect(ALL.map((cc) => f.urls.nodes[cc])).toEqual(ALL.map((_, i) => `http://127.0.0.1:${7001 + i}`));
  });

  it('every component serves /health, /openapi.json (3.1) and /docs', async () => {
    for (const [url, component, country] of [
      [f.urls.hub, 'hub', undefined],
      ...ALL.map((cc) => [f.urls.nodes[cc], 'node', cc]),
    ] as [string, string, string | undefined][]) {
      const h = await json<{ status: string; component: string; country?: string; testOnly: boolean }>(
        f.fetch(`${url}/health`),
      );
      expect(h.status).toBe(200);
      expect(h.body).toMatchObject({ status: 'ok', component, testOnly: true });
      expect(h.body.country).toBe(country);
      const o = await json<{ openapi: string; paths: Record<string, unknown> }>(f.fetch(`${url}/openapi.json`));
      expect(o.body.openapi).toBe('3.1.0');
      expect(Object.keys(o.body.paths)).toContain('/health');
      const d = await f.fetch(`${url}/docs`);
      expect(d.headers.get('content-type')).toContain('text/html');
      expect(await d.text()).toContain('TEST ONLY');
    }
  });

  it('every node registered with the hub through signed metadata', async () => {
    const { body } = await json<{ nodes: { country: string; metadata: { url: string; participants: unknown[] } }[] }>(
      f.fetch(`${f.urls.hub}/registry/nodes`),
    );
    expect(body.nodes.map((n) => n.country)).toEqual(ALL);
    for (const n of body.nodes) {
      expect(n.metadata.url).toBe(f.urls.nodes[n.country]);
      expect(n.metadata.participants.length).toBeGreaterThanOrEqual(3);
    }
    const audit = await json<{ entries: { action: string; subject: string }[] }>(
      f.fetch(`${f.urls.hub}/audit?limit=100`),
    );
    expect(
      audit.body.entries
        .filter((e) => e.action === 'node.registered')
        .map((e) => e.subject)
        .sort(),
    ).toEqual(ALL);
  });

  it("nodes find each other through the hub and validate each other's certificates through the trust fabric", async () => {
    const peers = await json<{ peers: { country: string }[] }>(f.fetch(`${f.urls.nodes.DE}/peers`));
    expect(peers.body.peers.map((p) => p.country)).toEqual(ALL.filter((c) => c !== 'DE'));
    for (const [a, b] of [
      ['DE', 'JP'],
      ['JP', 'DE'],
      ['EE', 'IT'],
      ['AT', 'FR'],
    ] as const) {
      const v = await json<{
        trusted: boolean;
        signatureValid: boolean;
        countryMatches: boolean;
        certificate: { valid: boolean; country: string };
      }>(f.fetch(`${f.urls.nodes[a]}/peers/${b}`));
      expect(v.status).toBe(200);
      expect(v.body).toMatchObject({ trusted: true, signatureValid: true, countryMatches: true });
      expect(v.body.certificate).toMatchObject({ valid: true, country: b });
    }
  });

  it('each node loaded and verified the whole trust fabric itself', async () => {
    for (const cc of ALL) {
      const s = await json<{ loaded: boolean; countries: string[]; anchors: number; crls: number }>(
        f.fetch(`${f.urls.nodes[cc]}/trust/status`),
      );
      expect(s.body.loaded).toBe(true);
      expect(s.body.countries).toEqual(ALL);
      expect(s.body.anchors).toBeGreaterThanOrEqual(ALL.length);
      expect(s.body.crls).toBeGreaterThan(0);
    }
  });

  it('discovery resolves a participant and a service to an endpoint and certificate, and says clearly when not found', async () => {
    const id = 'urn:kakehashi:participant:jp:setagaya';
    const profile = await json<{ participants: { id: string; services: string[] }[] }>(
      f.fetch(`${f.urls.nodes.JP}/profile`),
    );
    const p = profile.body.participants.find((x) => x.id === id) ?? profile.body.participants[0];
    expect(p).toBeDefined();
    const r = await json<{ country: string; endpoint: string; certificate: string }>(
      f.fetch(
        `${f.urls.hub}/discovery/participants/${encodeURIComponent(p!.id)}?service=${encodeURIComponent(p!.services[0]!)}`,
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body.country).toBe('JP');
    expect(r.body.certificate).toContain('BEGIN CERTIFICATE');
    const miss = await json<{ code: string; detail: string }>(
      f.fetch(`${f.urls.hub}/discovery/participants/urn%3Anobody?service=urn%3Ax`),
    );
    expect(miss.status).toBe(404);
    expect(miss.type).toContain('application/problem+json');
    expect(miss.body.code).toBe('participant-not-found');
    const services = await json<{ services: { country: string; block: string }[] }>(
      f.fetch(`${f.urls.hub}/discovery/services?country=de`),
    );
    expect(services.body.services.length).toBeGreaterThan(0);
    expect(services.body.services.every((s) => s.country === 'DE')).toBe(true);
  });

  it('reports federation health for every node', async () => {
    const h = await json<{ status: string; nodes: { country: string; status: string }[] }>(
      f.fetch(`${f.urls.hub}/federation/health`),
    );
    expect(h.body.status).toBe('ok');
    expect(h.body.nodes.map((n) => `${n.country}:${n.status}`)).toEqual(ALL.map((c) => `${c}:ok`));
  });

  it('propagates W3C traceparent across hops and records one trace event per hop', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await f.fetch(`${f.urls.nodes.DE}/peers/JP`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const opsOf = (events: { component: string; country?: string; operation: string }[] = []) =>
      events.map((e) => `${e.component}${e.country ? `:${e.country}` : ''} ${e.operation}`);
    const t = await poll(
      () =>
        json<{
          events: { component: string; country?: string; operation: string; parentSpanId?: string }[];
        }>(f.fetch(`${f.urls.hub}/traces/${traceId}`)),
      (r) =>
        opsOf(r.body.events).includes('node:DE GET /peers/JP') &&
        opsOf(r.body.events).includes('hub GET /registry/nodes/JP'),
    );
    expect(t.status).toBe(200);
    const ops = opsOf(t.body.events);
    expect(ops).toContain('node:DE GET /peers/JP');
    expect(ops).toContain('hub GET /registry/nodes/JP');
    expect(t.body.events.every((e) => e.parentSpanId)).toBe(true);
  });

  it('serves the trust fabric at the conventional paths', async () => {
    const lotl = await f.fetch(`${f.urls.hub}/trust/lotl.xml`);
    expect(lotl.headers.get('content-type')).toContain('application/xml');
    const xml = await lotl.text();
    for (const cc of ALL) expect(xml).toContain(`${f.urls.hub}/trust/tl/${cc}.xml`);
    const tl = await f.fetch(`${f.urls.hub}/trust/tl/JP.xml`);
    expect(tl.status).toBe(200);
    expect(await tl.text()).toContain('<ds:Signature');
    const index = await json<{ crls: string[] }>(f.fetch(`${f.urls.hub}/trust`));
    const crl = await f.fetch(index.body.crls[0]!);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    expect(new Uint8Array(await crl.arrayBuffer())[0]).toBe(0x30);
    const unknown = await json<{ code: string }>(f.fetch(`${f.urls.hub}/trust/tl/XX.xml`));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown-country');
  });

  it('exposes personas with ids, Japanese ones with a valid My Number', async () => {
    const { body } = await json<{ id: string; myNumber?: string }[]>(f.fetch(`${f.urls.nodes.JP}/personas`));
    expect(body.length).toBeGreaterThan(3);
    for (const p of body) {
      expect(p.id).toMatch(/\S/);
      expect(p.myNumber).toMatch(/^\d{12}$/);
    }
  });

  it('admin: effective config with sources, runtime change, virtual clock, all authenticated', async () => {
    const denied = await json<{ code: string }>(f.fetch(`${f.urls.hub}/admin/config`));
    expect(denied.status).toBe(401);
    expect(denied.body.code).toBe('unauthorized');
    const cfg = await json<{ options: { key: string; value: unknown; source: string }[] }>(
      f.fetch(`${f.urls.nodes.JP}/admin/config`, { headers: ADMIN }),
    );
    const byKey = Object.fromEntries(cfg.body.options.map((o) => [o.key, o]));
    expect(byKey.seed).toMatchObject({ value: 'kakehashi-test', source: 'cli' });
    expect(byKey.adminToken?.value).toBe('[redacted]');
    expect(byKey.port).toMatchObject({ value: 7000, source: 'default' });
    const before = (await json<{ time: string }>(f.fetch(`${f.urls.nodes.EE}/health`))).body.time;
    const adv = await json<{ frozen: boolean }>(
      f.fetch(`${f.urls.hub}/admin/clock`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'advance', by: '30d' }),
      }),
    );
    expect(adv.status).toBe(200);
    const after = (await json<{ time: string }>(f.fetch(`${f.urls.nodes.EE}/health`))).body.time;
    expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(30 * 86_400_000 - 5_000);
    // The hub pushes its clock to the nodes as an absolute time: a node sharing the clock does not move twice.
    expect(Date.parse(after) - Date.parse(before)).toBeLessThan(31 * 86_400_000);
    await f.fetch(`${f.urls.hub}/admin/clock`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'reset' }),
    });
  });

  it('keeps a verifiable hash-chained audit log', async () => {
    const v = await json<{ valid: boolean; count: number }>(f.fetch(`${f.urls.hub}/audit/verify`));
    expect(v.body.valid).toBe(true);
    expect(v.body.count).toBeGreaterThanOrEqual(ALL.length);
  });
});
