import { describe, expect, it } from 'vitest';
import type { ConsoleDeps } from '../src/console-deps.ts';
import { createConsole } from '../src/create-console.ts';
import { buildSequence, faultsOf } from '../src/page/trace-model.js';

const HUB = 'http://127.0.0.1:7000';
const NODES = { DE: 'http://127.0.0.1:7002', EE: 'http://127.0.0.1:7003' };
const TOKEN = 'kakehashi-admin-test-only';
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

const fault = (name: string, enabled = false) => ({
  name,
  block: name.startsWith('hub.') ? 'hub' : 'eid',
  kind: name.startsWith('lenient.') ? 'lenient' : name.startsWith('hub.') ? 'outage' : 'forge',
  description: `${name} while on`,
  perRequest: !name.startsWith('lenient.'),
  enabled,
});

/** A fake federation whose components answer /admin/faults (DE's switch is kept); EE is down. */
function makeConsole() {
  const calls: { url: string; method: string; auth: string | null; body?: string }[] = [];
  const de = new Map([
    ['id-token.alg-none', false],
    ['lenient.id-token.alg-none', false],
  ]);
  const fetcher: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    calls.push({
      url: url.href,
      method: init?.method ?? 'GET',
      auth: headers.get('authorization'),
      ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    });
    if (headers.get('authorization') !== `Bearer ${TOKEN}`) return json({ code: 'unauthorized' }, 401);
    if (url.origin === HUB) return json({ faults: [fault('hub.relay-failing', true), fault('hub.relay-slow')] });
    if (url.origin === NODES.DE) {
      if (init?.method === 'PUT') {
        const change = JSON.parse(String(init.body)) as { enable?: string[]; disable?: string[] };
        for (const n of [...(change.enable ?? []), ...(change.disable ?? [])])
          if (!de.has(n)) return json({ code: 'fault-unknown', detail: `No fault "${n}" on this component.` }, 400);
        for (const n of change.disable ?? []) de.set(n, false);
        for (const n of change.enable ?? []) de.set(n, true);
      }
      return json({ faults: [...de].map(([n, on]) => fault(n, on)) });
    }
    throw new TypeError('fetch failed: connection refused');
  };
  const deps: ConsoleDeps = {
    hubUrl: HUB,
    nodes: NODES,
    fetch: fetcher,
    scenarios: { list: () => [], run: () => Promise.reject(new Error('none')) },
    adminTokenIsDefault: true,
    adminToken: () => TOKEN,
    timeoutMs: 500,
  };
  return { app: createConsole(deps), calls };
}
const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

describe('the console API for faults', () => {
  it('needs the admin token to read or switch faults (401 problem), and never calls a component without it', async () => {
    const { app, calls } = makeConsole();
    for (const [path, init] of [
      ['/console/api/faults', {}],
      ['/console/api/faults', { headers: bearer('wrong') }],
      [
        '/console/api/faults/DE',
        { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"enable":["id-token.alg-none"]}' },
      ],
    ] as const) {
      const res = await app.request(path, init);
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    }
    expect(calls).toEqual([]);
  });

  it("lists every component's faults with the admin token; a component that does not answer is unavailable", async () => {
    const { app, calls } = makeConsole();
    const res = await app.request('/console/api/faults', { headers: bearer() });
    expect(res.status).toBe(200);
    const { components } = (await res.json()) as {
      components: {
        component: string;
        available: boolean;
        detail?: string;
        faults: { name: string; enabled: boolean }[];
      }[];
    };
    expect(components.map((c) => c.component)).toEqual(['hub', 'node:DE', 'node:EE']);
    expect(components[0]?.faults.filter((f) => f.enabled).map((f) => f.name)).toEqual(['hub.relay-failing']);
    expect(components[1]?.faults.map((f) => f.name)).toEqual(['id-token.alg-none', 'lenient.id-token.alg-none']);
    expect(components[2]).toMatchObject({ available: false, faults: [] });
    expect(components[2]?.detail).toContain('Node EE did not answer');
    // The components were asked with the federation's admin token.
    expect(calls.every((c) => c.auth === `Bearer ${TOKEN}` && c.url.endsWith('/admin/faults'))).toBe(true);
  });

  it("switches one component's fault on and off and answers its faults; an unknown one is fault-unknown", async () => {
    const { app, calls } = makeConsole();
    const put = (component: string, body: unknown) =>
      app.request(`/console/api/faults/${component}`, {
        method: 'PUT',
        headers: { ...bearer(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const on = await put('de', { enable: ['lenient.id-token.alg-none'] });
    expect(on.status).toBe(200);
    const after = (await on.json()) as { component: string; faults: { name: string; enabled: boolean }[] };
    expect(after.component).toBe('node:DE');
    expect(after.faults.find((f) => f.name === 'lenient.id-token.alg-none')?.enabled).toBe(true);
    expect(calls.at(-1)).toMatchObject({ url: `${NODES.DE}/admin/faults`, method: 'PUT' });
    const off = (await (await put('DE', { disable: ['lenient.id-token.alg-none'] })).json()) as typeof after;
    expect(off.faults.every((f) => !f.enabled)).toBe(true);

    const unknown = await put('DE', { enable: ['id-token.nope'] });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { code: string; detail: string }).code).toBe('fault-unknown');
    expect((await put('XX', { enable: ['x'] })).status).toBe(404);
    expect((await put('DE', { enable: ['x'], other: 1 })).status).toBe(400);
  });
});

describe('hops on which a fault fired', () => {
  it('faultsOf keeps the names only (the event is attacker-controlled)', () => {
    expect(faultsOf({ faults: ['hub.relay-failing', 7, '', { x: 1 }, 'id-token.alg-none'] } as never)).toEqual([
      'hub.relay-failing',
      'id-token.alg-none',
    ]);
    expect(faultsOf({ faults: 'hub.relay-failing' } as never)).toEqual([]);
    expect(faultsOf({})).toEqual([]);
  });

  it('buildSequence carries each hop’s faults', () => {
    const seq = buildSequence([
      {
        spanId: 'a',
        direction: 'inbound',
        component: 'hub',
        operation: 'GET /eid/proxy/AT/authorize',
        status: 502,
        faults: ['hub.relay-failing'],
      },
      {
        spanId: 'b',
        direction: 'inbound',
        component: 'node',
        country: 'DE',
        operation: 'GET /oidc/authorize',
        status: 302,
      },
    ]);
    expect(seq.hops.map((h) => h.faults)).toEqual([['hub.relay-failing'], []]);
  });
});
