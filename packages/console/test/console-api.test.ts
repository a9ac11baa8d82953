import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, createRouteModule } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { isConsolePath } from '../src/base-path.ts';
import type { ConsoleDeps, ScenarioReport } from '../src/console-deps.ts';
import { createConsole, documentConsoleRoutes } from '../src/create-console.ts';

const HUB = 'http://127.0.0.1:7000';
const NODES = { DE: 'http://127.0.0.1:7002', JP: 'http://127.0.0.1:7007' };

type Handler = (url: URL, init?: RequestInit) => Response | Promise<Response>;
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const health = (extra: Record<string, unknown>) =>
  json({ status: 'ok', name: 'x', time: '2030-01-01T00:00:00.000Z', ...extra });

/** A fake federation: each URL answered by a handler; the calls are recorded. */
function fakeFetch(routes: Record<string, Handler>) {
  const calls: string[] = [];
  const f: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    calls.push(`${url.origin}${url.pathname}`);
    const h = routes[`${url.origin}${url.pathname}`];
    if (!h) throw new TypeError('fetch failed: connection refused');
    return h(url, init);
  };
  return { fetch: f, calls };
}

/** The published test-only default of option adminToken. */
const TOKEN = 'kakehashi-admin-test-only';
/** A scenario run as the page posts it: with the admin token it has. */
const RUN = (token: string | null = TOKEN): RequestInit => ({
  method: 'POST',
  ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }),
});

const REPORT: ScenarioReport = {
  name: 'eid-cross-border',
  description: 'demo',
  passed: true,
  steps: [{ title: 'one', ok: true, detail: 'fine', durationMs: 3 }],
  traceIds: ['0123456789abcdef0123456789abcdef'],
  durationMs: 5,
};

function makeConsole(over: Partial<ConsoleDeps> = {}, routes: Record<string, Handler> = {}) {
  const fake = fakeFetch(routes);
  const runs: string[] = [];
  const deps: ConsoleDeps = {
    hubUrl: HUB,
    nodes: NODES,
    fetch: fake.fetch,
    scenarios: {
      list: () => [
        { name: 'federation', description: 'the federation in a box' },
        { name: 'eid-cross-border', description: 'demo' },
      ],
      run: async (name) => {
        runs.push(name);
        return { ...REPORT, name };
      },
    },
    adminTokenIsDefault: true,
    adminToken: () => TOKEN,
    logger: createMemoryLogger('debug'),
    timeoutMs: 500,
    ...over,
  };
  return { app: createConsole(deps), calls: fake.calls, runs };
}

describe('the page and its assets', () => {
  it('serves a watermarked page with a strict content security policy', async () => {
    const { app } = makeConsole();
    const res = await app.request('/console');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('TEST ONLY');
    expect(html).toContain('data-testid="test-only-banner"');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('frame-src http://127.0.0.1:7007');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the scripts and the stylesheet with their types, and a problem for anything else', async () => {
    const { app } = makeConsole();
    // Every ES module of the page (console.js imports the others by relative URL) and the stylesheet.
    const modules = readdirSync(join(import.meta.dirname, '..', 'src', 'page')).filter((f) => f.endsWith('.js'));
    expect(modules).toEqual(expect.arrayContaining(['console.js', 'trace-model.js']));
    for (const [file, type] of [
      ...modules.map((f) => [f, 'text/javascript'] as const),
      ['console.css', 'text/css'] as const,
    ]) {
      const res = await app.request(`/console/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
    const missing = await app.request('/console/assets/..%2Fcreate-console.ts');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(((await missing.json()) as { code: string }).code).toBe('not-found');
    const proto = await app.request('/console/assets/__proto__');
    expect(proto.status).toBe(404);
  });

  it('answers unknown console paths with problem+json and says where the console is', async () => {
    const { app } = makeConsole();
    const res = await app.request('/console/api/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toContain('/console');
    expect((await app.request('/console/')).headers.get('location')).toBe('/console');
  });

  it("documents every route it serves (they appear in the hub's /openapi.json)", () => {
    const served = makeConsole()
      .app.routes.filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    // What documentConsoleRoutes adds to another app's (the hub's) OpenAPI document.
    const hub = createRouteModule();
    documentConsoleRoutes(hub);
    const paths = hub.getOpenAPIDocument({ openapi: '3.0.0', info: { title: 'hub', version: '0' } }).paths ?? {};
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThanOrEqual(9);
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !served.includes(d))).toEqual([]);
  });

  it('tells which paths are the console', () => {
    expect(isConsolePath('/console')).toBe(true);
    expect(isConsolePath('/console/api/config')).toBe(true);
    expect(isConsolePath('/consoles')).toBe(false);
    expect(isConsolePath('/traces')).toBe(false);
  });
});

describe('GET /console/api/config', () => {
  it('prefills the published test-only admin token only when the federation uses it', async () => {
    const withDefault = (await (await makeConsole().app.request('/console/api/config')).json()) as Record<
      string,
      unknown
    >;
    expect(withDefault.defaultAdminToken).toBe('kakehashi-admin-test-only');
    expect(withDefault.nodes).toEqual([
      { country: 'DE', url: NODES.DE },
      { country: 'JP', url: NODES.JP },
    ]);
    const custom = (await (
      await makeConsole({ adminTokenIsDefault: false }).app.request('/console/api/config')
    ).json()) as Record<string, unknown>;
    expect(custom.defaultAdminToken).toBeNull();
    expect(JSON.stringify(custom)).not.toContain('kakehashi-admin-test-only');
  });
});

describe('GET /console/api/topology', () => {
  it('reports each component from its /health, and an unreachable or malformed one as unreachable', async () => {
    const { app, calls } = makeConsole(
      {},
      {
        [`${HUB}/health`]: () => health({ component: 'hub', nodes: 2 }),
        [`${NODES.DE}/health`]: () => health({ component: 'node', country: 'DE', registered: true, trust: 'loaded' }),
        // JP answers something that is not a health document
        [`${NODES.JP}/health`]: () => new Response('<html>oops</html>', { status: 200 }),
      },
    );
    const res = await app.request('/console/api/topology');
    expect(res.status).toBe(200);
    const t = (await res.json()) as {
      hub: { status: string; registeredNodes: number };
      nodes: { country: string; status: string; registered?: boolean; detail?: string }[];
    };
    expect(t.hub).toMatchObject({ status: 'ok', registeredNodes: 2 });
    expect(t.nodes[0]).toMatchObject({ country: 'DE', status: 'ok', registered: true });
    expect(t.nodes[1]).toMatchObject({ country: 'JP', status: 'unreachable' });
    expect(t.nodes[1]?.detail).toMatch(/did not answer JSON/);
    // only /health is polled: it is the one endpoint that is not traced
    expect(calls.every((c) => c.endsWith('/health'))).toBe(true);
  });

  it('marks a component that does not answer', async () => {
    const { app } = makeConsole({}, { [`${HUB}/health`]: () => health({ component: 'hub' }) });
    const t = (await (await app.request('/console/api/topology')).json()) as {
      nodes: { status: string; detail: string }[];
    };
    expect(t.nodes.map((n) => n.status)).toEqual(['unreachable', 'unreachable']);
    expect(t.nodes[0]?.detail).toMatch(/did not answer/);
  });
});

describe('GET /console/api/nodes/{country}/personas', () => {
  const personas = [
    {
      id: 'de-001',
      country: 'DE',
      familyName: 'Müller',
      givenName: 'Anna',
      nationalId: { scheme: 'x', value: '1' },
      extra: 1,
    },
  ];
  it("passes a node's personas through, validated", async () => {
    const { app } = makeConsole({}, { [`${NODES.DE}/personas`]: () => json(personas) });
    const res = await app.request('/console/api/nodes/de/personas');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ country: 'DE', personas });
  });

  it('refuses an unknown country with the known ones', async () => {
    const { app, calls } = makeConsole();
    const res = await app.request('/console/api/nodes/XX/personas');
    expect(res.status).toBe(404);
    const p = (await res.json()) as { code: string; detail: string };
    expect(p.code).toBe('unknown-country');
    expect(p.detail).toContain('DE, JP');
    expect(calls).toEqual([]);
  });

  it('turns a broken node answer into upstream-unavailable (502) without echoing it', async () => {
    const { app } = makeConsole({}, { [`${NODES.DE}/personas`]: () => json([{ id: 42, secret: 'do-not-echo' }]) });
    const res = await app.request('/console/api/nodes/DE/personas');
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text).code).toBe('upstream-unavailable');
    expect(text).not.toContain('do-not-echo');
    const down = makeConsole();
    expect((await down.app.request('/console/api/nodes/DE/personas')).status).toBe(502);
    const err = makeConsole({}, { [`${NODES.DE}/personas`]: () => json({ code: 'x' }, 500) });
    expect(
      ((await (await err.app.request('/console/api/nodes/DE/personas')).json()) as { detail: string }).detail,
    ).toContain('HTTP 500');
  });
});

describe('GET /console/api/portal', () => {
  const openapi = (paths: Record<string, unknown>) => () => json({ openapi: '3.1.0', paths });
  it("links Japan's portal page when its node documents GET /jp/portal", async () => {
    const { app } = makeConsole(
      {},
      {
        [`${NODES.JP}/openapi.json`]: openapi({
          '/health': { get: {} },
          '/jp/portal': { get: {} },
          '/jp/portal/me/records': { get: {} },
        }),
      },
    );
    expect(await (await app.request('/console/api/portal')).json()).toEqual({
      available: true,
      country: 'JP',
      url: `${NODES.JP}/jp/portal`,
      paths: ['/jp/portal', '/jp/portal/me/records'],
    });
  });

  it('says not available, and why, when there is no page, no JP node or no answer', async () => {
    const none = makeConsole({}, { [`${NODES.JP}/openapi.json`]: openapi({ '/health': { get: {} } }) });
    const a = (await (await none.app.request('/console/api/portal')).json()) as { available: boolean; reason: string };
    expect(a.available).toBe(false);
    expect(a.reason).toMatch(/does not serve a citizen portal/);
    const noJp = makeConsole({ nodes: { DE: NODES.DE } });
    const b = (await (await noJp.app.request('/console/api/portal')).json()) as { available: boolean; reason: string };
    expect(b).toMatchObject({ available: false });
    expect(b.reason).toMatch(/not part of this federation/);
    const down = makeConsole();
    expect(((await (await down.app.request('/console/api/portal')).json()) as { available: boolean }).available).toBe(
      false,
    );
  });
});

describe('scenarios', () => {
  it('lists them', async () => {
    const { app } = makeConsole();
    const body = (await (await app.request('/console/api/scenarios')).json()) as { scenarios: { name: string }[] };
    expect(body.scenarios.map((s) => s.name)).toEqual(['federation', 'eid-cross-border']);
  });

  it('runs one and answers its report', async () => {
    const { app, runs } = makeConsole();
    const res = await app.request('/console/api/scenarios/eid-cross-border/run', RUN());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(REPORT);
    expect(runs).toEqual(['eid-cross-border']);
  });

  it('keeps the reports of its runs, newest first, with the spans of each step, for the admin', async () => {
    const withSpans = { ...REPORT, steps: [{ ...REPORT.steps[0]!, spans: ['00f067aa0ba902b7'] }] };
    const { app } = makeConsole({
      scenarios: {
        list: () => [
          { name: 'a', description: '' },
          { name: 'b', description: '' },
        ],
        run: async (name) => ({ ...withSpans, name }),
      },
    });
    expect((await app.request('/console/api/runs')).status).toBe(401);
    const runs = async () =>
      (
        (await (await app.request('/console/api/runs', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
          runs: ScenarioReport[];
        }
      ).runs;
    expect(await runs()).toEqual([]);
    await app.request('/console/api/scenarios/a/run', RUN());
    await app.request('/console/api/scenarios/b/run', RUN());
    const [latest, earlier] = await runs();
    expect([latest?.name, earlier?.name]).toEqual(['b', 'a']);
    expect(latest?.steps[0]?.spans).toEqual(['00f067aa0ba902b7']);
    // a span that is no span id is refused with the report (the runner is another package: its answer is checked)
    const bad = makeConsole({
      scenarios: {
        list: () => [{ name: 'x', description: '' }],
        run: async () => ({ ...withSpans, steps: [{ ...withSpans.steps[0]!, spans: ['<b>'] }] }),
      },
    });
    expect((await bad.app.request('/console/api/scenarios/x/run', RUN())).status).toBe(500);
  });

  it('refuses an unknown scenario with the list, without running anything', async () => {
    const { app, runs } = makeConsole();
    const res = await app.request('/console/api/scenarios/nope/run', RUN());
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toContain('federation, eid-cross-border');
    expect(runs).toEqual([]);
  });

  it('refuses a second run of a scenario that is still running (409)', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { app } = makeConsole({
      scenarios: {
        list: () => [{ name: 'slow', description: '' }],
        run: async (name) => {
          await gate;
          return { ...REPORT, name };
        },
      },
    });
    const first = app.request('/console/api/scenarios/slow/run', RUN());
    await new Promise((r) => setTimeout(r, 10));
    const second = await app.request('/console/api/scenarios/slow/run', RUN());
    expect(second.status).toBe(409);
    expect(((await second.json()) as { code: string }).code).toBe('conflict');
    release();
    expect((await first).status).toBe(200);
    // and it can run again once done
    release();
    expect((await app.request('/console/api/scenarios/slow/run', RUN())).status).toBe(200);
  });

  it('refuses any other scenario while one runs (409): each run is undone, overlapping runs would undo each other', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const runs: string[] = [];
    const { app } = makeConsole({
      scenarios: {
        list: () => [
          { name: 'slow', description: '' },
          { name: 'other', description: '' },
        ],
        run: async (name) => {
          runs.push(name);
          if (name === 'slow') await gate;
          return { ...REPORT, name, undo: { restored: true, actions: ['clock set back'], problems: [] } };
        },
      },
    });
    const first = app.request('/console/api/scenarios/slow/run', RUN());
    await new Promise((r) => setTimeout(r, 10));
    const other = await app.request('/console/api/scenarios/other/run', RUN());
    expect(other.status).toBe(409);
    const problem = (await other.json()) as { code: string; detail: string };
    expect(problem.code).toBe('conflict');
    expect(problem.detail).toContain('"slow" is running');
    expect(runs).toEqual(['slow']);
    release();
    const done = await first;
    expect(done.status).toBe(200);
    // The report carries what undoing the run did.
    expect(((await done.json()) as ScenarioReport).undo).toEqual({
      restored: true,
      actions: ['clock set back'],
      problems: [],
    });
    expect((await app.request('/console/api/scenarios/other/run', RUN())).status).toBe(200);
  });

  it('needs the admin token: missing or wrong is a 401 problem and nothing runs', async () => {
    const { app, runs } = makeConsole();
    for (const init of [RUN(null), RUN('wrong-token'), RUN(''), { ...RUN(), headers: { authorization: TOKEN } }]) {
      const res = await app.request('/console/api/scenarios/eid-cross-border/run', init);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('unauthorized');
      expect(body.detail).toContain('admin token');
      expect(body.detail).not.toContain(TOKEN);
    }
    expect(runs).toEqual([]);
  });

  it('checks the token the federation is configured with now, not the published default', async () => {
    let token = 'a-configured-token-42';
    const { app, runs } = makeConsole({ adminTokenIsDefault: false, adminToken: () => token });
    expect((await app.request('/console/api/scenarios/federation/run', RUN())).status).toBe(401);
    expect((await app.request('/console/api/scenarios/federation/run', RUN(token))).status).toBe(200);
    token = 'changed-at-runtime-43';
    expect((await app.request('/console/api/scenarios/federation/run', RUN('a-configured-token-42'))).status).toBe(401);
    expect((await app.request('/console/api/scenarios/federation/run', RUN(token))).status).toBe(200);
    expect(runs).toEqual(['federation', 'federation']);
  });

  it('answers a problem, not a crash, when the runner fails or returns a malformed report', async () => {
    const failing = makeConsole({
      scenarios: {
        list: () => [{ name: 'boom', description: '' }],
        run: async () => {
          throw new Error('federation exploded with secret s3cr3t');
        },
      },
    });
    const res = await failing.app.request('/console/api/scenarios/boom/run', RUN());
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('s3cr3t');
    const malformed = makeConsole({
      scenarios: {
        list: () => [{ name: 'bad', description: '' }],
        run: async () => ({ ...REPORT, traceIds: ['not-a-trace-id'] }),
      },
    });
    expect((await malformed.app.request('/console/api/scenarios/bad/run', RUN())).status).toBe(500);
  });
});
