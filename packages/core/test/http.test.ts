import { createRoute, z } from '@hono/zod-openapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CORE_OPTIONS,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  hasBody,
  LayeredConfig,
  MemoryTraceSink,
  mountAdmin,
  mountDocs,
  mountHealth,
  openStore,
  problemResponses,
  requireJson,
  SeededRandom,
  type Store,
  VirtualClock,
} from '../src/index.ts';

const TOKEN = 'kakehashi-admin-test-only';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const DAY = 86_400_000;
const INTERNAL_SECRET = 'db password is hunter2 at /var/secret';

const EchoRoute = createRoute({
  method: 'post',
  path: '/echo',
  tags: ['test'],
  summary: 'Echo a name',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ name: z.string() }) } } } },
  responses: {
    200: { description: 'Echo', content: { 'application/json': { schema: z.object({ hello: z.string() }) } } },
    ...problemResponses(400, 413, 415),
  },
});

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function build(outbound: typeof fetch = fetch) {
  const info: ComponentInfo = { component: 'node', country: 'JP', name: 'National node JP (Japan)', version: '0.1.0' };
  const store = openStore({ name: 't' });
  stores.push(store);
  const logger = createMemoryLogger();
  const traces = new MemoryTraceSink();
  const deps: ComponentDeps = {
    store,
    clock: new VirtualClock(),
    random: new SeededRandom('http-test'),
    logger,
    config: new LayeredConfig(CORE_OPTIONS),
    fetch: outbound,
    traces,
    faults: new FaultSwitchboard(),
  };
  const app = createComponentApp(info, deps);
  mountHealth(app, info, deps, () => ({ nodes: 3 }));
  mountDocs(app, info, 'A component under test.');
  mountAdmin(app, deps);
  app.openapi(EchoRoute, (c) => {
    requireJson(c.req.header('content-type'));
    return c.json({ hello: c.req.valid('json').name }, 200);
  });
  app.get('/boom', () => {
    throw new Error(INTERNAL_SECRET);
  });
  app.get('/call', async (c) => {
    const res = await c.get('fetch')('http://peer.test/thing');
    return c.json({ status: res.status });
  });
  return { app, deps, logger, traces, info };
}

type App = ReturnType<typeof build>['app'];

const postJson = (app: App, path: string, body: string, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

const admin = (app: App, path: string, init: RequestInit = {}) =>
  app.request(path, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });

/** Asserts an RFC 9457 problem response and returns its body. */
async function expectProblem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `urn:kakehashi:error:${code}`, status, code });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  return body;
}

describe('GET /health', () => {
  it('answers with status ok, the component, its country, the virtual time and testOnly', async () => {
    const { app, deps } = build();
    deps.clock.freeze(new Date('2027-06-01T00:00:00Z'));
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      status: 'ok',
      component: 'node',
      country: 'JP',
      name: 'National node JP (Japan)',
      version: '0.1.0',
      time: '2027-06-01T00:00:00.000Z',
      uptimeSeconds: expect.any(Number),
      testOnly: true,
      nodes: 3,
    });
  });
});

describe('docs', () => {
  it('GET /openapi.json is an OpenAPI 3.1 document listing the routes', async () => {
    const { app } = build();
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toContain('TEST ONLY');
    expect(doc.info.description).toBe('A component under test.');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/echo', '/admin/config', '/admin/clock', '/admin/reset']),
    );
    expect(Object.keys(doc.paths['/admin/config'])).toEqual(expect.arrayContaining(['get', 'patch']));
    expect(doc.paths['/echo'].post.requestBody.required).toBe(true);
    expect(doc.paths['/admin/config'].get.security).toEqual([{ adminToken: [] }]);
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('GET /docs is HTML with the TEST ONLY banner, pointing at locally served assets', async () => {
    const { app } = build();
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('data-testid="test-only-banner"');
    expect(html).toContain('TEST ONLY');
    expect(html).toContain('<title>National node JP (Japan) API — Kakehashi (TEST ONLY)</title>');
    expect(html).toContain('src="/docs/swagger-ui-bundle.js"');
    expect(html).toContain('href="/docs/swagger-ui.css"');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // no CDN: works offline
  });

  it('serves the swagger assets', async () => {
    const { app } = build();
    const css = await app.request('/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await css.text()).length).toBeGreaterThan(1000);
    const js = await app.request('/docs/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toContain('SwaggerUIBundle');
  });
});

describe('problem+json at the boundary', () => {
  it('an unknown route is a 404 not-found problem naming the path', async () => {
    const { app } = build();
    const body = await expectProblem(await app.request('/nope?x=1'), 404, 'not-found');
    expect(body.detail).toContain('GET /nope');
    expect(body.instance).toBe('/nope');
  });

  it('a valid JSON body reaches the handler', async () => {
    const { app } = build();
    const res = await postJson(app, '/echo', JSON.stringify({ name: 'Hanako' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'Hanako' });
  });

  it('a body over maxBodyBytes (changed at runtime) is 413 payload-too-large, with or without content-length', async () => {
    const { app, deps } = build();
    deps.config.setRuntime({ maxBodyBytes: 32 });
    const big = JSON.stringify({ name: 'x'.repeat(100) });
    const a = await expectProblem(await postJson(app, '/echo', big), 413, 'payload-too-large');
    expect(a.detail).toContain('32');
    await expectProblem(
      await postJson(app, '/echo', big, { 'content-length': String(Buffer.byteLength(big)) }),
      413,
      'payload-too-large',
    );
    const small = await postJson(app, '/echo', JSON.stringify({ name: 'ok' }));
    expect(small.status).toBe(200);
    deps.config.clearRuntime();
    expect((await postJson(app, '/echo', big)).status).toBe(200);
  });

  it('a body of unknown length is read once under the limit and stays readable: JSON parsed once, form, text, bytes', async () => {
    const { app } = build();
    const seen: unknown[] = [];
    app.post('/json-twice', async (c) => {
      const a = await c.req.json();
      const b = await c.req.json();
      seen.push(a === b);
      return c.json({ a, text: await c.req.text() });
    });
    app.post('/form', async (c) => {
      const form = await c.req.parseBody();
      return c.json({ form, bytes: (await c.req.arrayBuffer()).byteLength });
    });
    // A streamed body carries no content-length: the middleware reads it (counting) and keeps it.
    const stream = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(ctl) {
          const bytes = new TextEncoder().encode(text);
          ctl.enqueue(bytes.subarray(0, 3));
          ctl.enqueue(bytes.subarray(3));
          ctl.close();
        },
      });
    const json = await app.request('/json-twice', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream('\ufeff{"name":"花子"}'),
      duplex: 'half',
    } as RequestInit);
    expect(await json.json()).toEqual({ a: { name: '花子' }, text: '{"name":"花子"}' });
    expect(seen).toEqual([true]);
    const form = await app.request('/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stream('a=1&b=%E8%8A%B1'),
      duplex: 'half',
    } as RequestInit);
    expect(await form.json()).toEqual({ form: { a: '1', b: '花' }, bytes: 15 });
  });

  it('a streamed body past maxBodyBytes is refused while it is read (the rest is never pulled)', async () => {
    const { app, deps } = build();
    deps.config.setRuntime({ maxBodyBytes: 64 });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(ctl) {
        pulled++;
        ctl.enqueue(new Uint8Array(32).fill(0x20));
      },
    });
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'payload-too-large');
    expect(pulled).toBeLessThan(10);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form', 'application/x-www-form-urlencoded'],
    ['xml', 'application/xml'],
  ])('a %s body on a JSON route is 415 unsupported-media-type', async (_name, type) => {
    const { app } = build();
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': type },
      body: JSON.stringify({ name: 'x' }),
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it('a body without a content type on a JSON route is 415', async () => {
    const { app } = build();
    const res = await app.request('/echo', { method: 'POST', body: new Uint8Array([123, 125]) });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it.each(['{"name":', 'not json', '', "{'name':'x'}"])('malformed JSON %j is 400 malformed-json', async (body) => {
    const { app } = build();
    await expectProblem(await postJson(app, '/echo', body), 400, 'malformed-json');
  });

  it('malformed JSON is detected for +json media types too', async () => {
    const { app } = build();
    const res = await postJson(app, '/echo', '{', { 'content-type': 'application/problem+json' });
    await expectProblem(res, 400, 'malformed-json');
  });

  it('a body that does not match the schema is 400 validation-failed with the issues', async () => {
    const { app } = build();
    const body = await expectProblem(await postJson(app, '/echo', '{"name":42}'), 400, 'validation-failed');
    expect(body.issues).toEqual([{ path: 'name', message: expect.any(String) }]);
    expect(body.detail).toContain('name');
    const missing = await expectProblem(await postJson(app, '/echo', '{}'), 400, 'validation-failed');
    expect((missing.issues as unknown[]).length).toBe(1);
  });

  it('a thrown plain Error is a 500 internal-error that does not expose the message, but logs it', async () => {
    const { app, logger } = build();
    const res = await app.request('/boom');
    const text = await res.clone().text();
    const body = await expectProblem(res, 500, 'internal-error');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(INTERNAL_SECRET);
    expect(text).not.toContain('stack');
    expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
    const line = logger.lines.find((l) => l.level === 'error');
    expect(line).toMatchObject({ msg: 'request failed', code: 'internal-error', path: '/boom', traceId: body.traceId });
    expect(JSON.stringify(line)).toContain('hunter2');
  });
});

describe('bodies', () => {
  it('a wrong content type on a JSON route says what to send', async () => {
    const { app } = build();
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    const p = await expectProblem(res, 415, 'unsupported-media-type');
    expect(p.detail).toContain('application/json');
  });

  it('an empty body with a JSON content type counts as no body on a bodiless POST', async () => {
    const { app } = build();
    const res = await admin(app, '/admin/reset', { method: 'POST', body: '' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ reset: true });
  });
});

describe('admin API', () => {
  it.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-of-any-length' }],
    ['the token without Bearer', { authorization: TOKEN }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('refuses %s with a 401 problem that does not echo the token', async (_name, headers) => {
    const { app } = build();
    for (const [method, path] of [
      ['GET', '/admin/config'],
      ['PATCH', '/admin/config'],
      ['POST', '/admin/clock'],
      ['POST', '/admin/reset'],
    ] as const) {
      const res = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      const text = await res.clone().text();
      await expectProblem(res, 401, 'unauthorized');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('wrong-token-of-any-length');
    }
  });

  it('GET /admin/config lists every option with its source, the admin token redacted', async () => {
    const { app } = build();
    const res = await admin(app, '/admin/config');
    expect(res.status).toBe(200);
    const text = await res.clone().text();
    expect(text).not.toContain(TOKEN);
    const { options } = (await res.json()) as { options: { key: string; value: unknown; source: string }[] };
    expect(options.map((o) => o.key)).toEqual(CORE_OPTIONS.map((o) => o.key));
    expect(options.find((o) => o.key === 'adminToken')).toMatchObject({ value: '[redacted]', default: '[redacted]' });
    expect(options.find((o) => o.key === 'port')).toMatchObject({ value: 7000, source: 'default' });
  });

  it('PATCH /admin/config changes a runtime option', async () => {
    const { app, deps } = build();
    const res = await admin(app, '/admin/config', { method: 'PATCH', body: JSON.stringify({ logLevel: 'warn' }) });
    expect(res.status).toBe(200);
    expect(deps.config.get('logLevel')).toBe('warn');
    const { options } = (await res.json()) as { options: { key: string; value: unknown; source: string }[] };
    expect(options.find((o) => o.key === 'logLevel')).toMatchObject({ value: 'warn', source: 'runtime' });
  });

  it('PATCH /admin/config refuses a non-runtime option (409) and an invalid value (400), changing nothing', async () => {
    const { app, deps } = build();
    const notRuntime = await admin(app, '/admin/config', {
      method: 'PATCH',
      body: JSON.stringify({ logLevel: 'warn', port: 1234 }),
    });
    const body = await expectProblem(notRuntime, 409, 'config-not-runtime');
    expect(body.detail).toContain('KAKEHASHI_PORT');
    const token = await admin(app, '/admin/config', {
      method: 'PATCH',
      body: JSON.stringify({ adminToken: 'a-new-token-value' }),
    });
    await expectProblem(token, 409, 'config-not-runtime');
    const invalid = await admin(app, '/admin/config', {
      method: 'PATCH',
      body: JSON.stringify({ maxBodyBytes: -1 }),
    });
    await expectProblem(invalid, 400, 'config-invalid');
    const unknown = await admin(app, '/admin/config', { method: 'PATCH', body: JSON.stringify({ nope: 1 }) });
    await expectProblem(unknown, 400, 'config-unknown-option');
    expect(deps.config.get('logLevel')).toBe('info');
    expect(deps.config.get('port')).toBe(7000);
    expect(deps.config.get('adminToken')).toBe(TOKEN);
  });

  it('PATCH /admin/config with a non-JSON content type is 415', async () => {
    const { app } = build();
    const res = await admin(app, '/admin/config', {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: '{"logLevel":"warn"}',
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it('POST /admin/clock freeze then advance 30d moves /health time by exactly 30 days', async () => {
    const { app } = build();
    const clock = (body: unknown) => admin(app, '/admin/clock', { method: 'POST', body: JSON.stringify(body) });
    const frozen = await clock({ action: 'freeze' });
    expect(frozen.status).toBe(200);
    expect(await frozen.json()).toMatchObject({ frozen: true });
    const t1 = Date.parse(((await (await app.request('/health')).json()) as { time: string }).time);
    const advanced = await clock({ action: 'advance', by: '30d' });
    expect(advanced.status).toBe(200);
    expect(await advanced.json()).toMatchObject({ frozen: true, now: new Date(t1 + 30 * DAY).toISOString() });
    const t2 = Date.parse(((await (await app.request('/health')).json()) as { time: string }).time);
    expect(t2 - t1).toBe(30 * DAY);
    const state = await (await admin(app, '/admin/clock')).json();
    expect(state).toMatchObject({ frozen: true, now: new Date(t2).toISOString() });
  });

  it('POST /admin/clock set, resume and reset; bad requests are clock-invalid or validation-failed', async () => {
    const { app, deps } = build();
    const clock = (body: unknown) => admin(app, '/admin/clock', { method: 'POST', body: JSON.stringify(body) });
    expect((await clock({ action: 'set', at: '2030-01-01T00:00:00Z', frozen: true })).status).toBe(200);
    expect(deps.clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect((await clock({ action: 'resume' })).status).toBe(200);
    expect(deps.clock.state().frozen).toBe(false);
    expect((await clock({ action: 'reset' })).status).toBe(200);
    expect(Math.abs(deps.clock.nowMs() - Date.now())).toBeLessThan(5000);
    await expectProblem(await clock({ action: 'advance' }), 400, 'clock-invalid');
    await expectProblem(await clock({ action: 'advance', by: 'soon' }), 400, 'clock-invalid');
    await expectProblem(await clock({ action: 'set' }), 400, 'clock-invalid');
    await expectProblem(await clock({ action: 'explode' }), 400, 'validation-failed');
  });

  it('POST /admin/reset clears runtime configuration', async () => {
    const { app, deps } = build();
    deps.config.setRuntime({ maxBodyBytes: 100 });
    const res = await app.request('/admin/reset', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ reset: true });
    expect(deps.config.get('maxBodyBytes')).toBe(1024 * 1024);
  });
});

describe('trace context', () => {
  it('keeps an incoming traceId in the response header and records one inbound trace event', async () => {
    const { app, traces } = build();
    const res = await postJson(app, '/echo', '{"name":"x"}', {
      traceparent: `00-${TRACE}-${SPAN}-01`,
      'x-kakehashi-caller': 'http://127.0.0.1:7000',
    });
    expect(res.status).toBe(200);
    const header = res.headers.get('traceparent') ?? '';
    expect(header).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(header).not.toContain(SPAN);
    expect(traces.events).toHaveLength(1);
    expect(traces.events[0]).toMatchObject({
      traceId: TRACE,
      spanId: header.split('-')[2],
      parentSpanId: SPAN,
      component: 'node',
      country: 'JP',
      operation: 'POST /echo',
      direction: 'inbound',
      status: 200,
      peer: 'http://127.0.0.1:7000',
    });
    expect(typeof traces.events[0]!.durationMs).toBe('number');
  });

  it('starts a new trace when the header is absent or invalid, and keeps the header on problem responses', async () => {
    const { app, traces } = build();
    const res = await app.request('/nope', { headers: { traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` } });
    await expectProblem(res, 404, 'not-found');
    const header = res.headers.get('traceparent') ?? '';
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(header).not.toContain(TRACE.toLowerCase());
    expect(traces.events[0]).toMatchObject({ operation: 'GET /nope', status: 404, parentSpanId: undefined });
  });

  it('records the status of failed requests', async () => {
    const { app, traces } = build();
    await app.request('/boom');
    expect(traces.events.map((e) => [e.operation, e.status])).toEqual([['GET /boom', 500]]);
  });

  it('does not record /health and /docs', async () => {
    const { app, traces } = build();
    await app.request('/health');
    await app.request('/docs');
    await app.request('/docs/swagger-ui.css');
    expect(traces.events).toHaveLength(0);
  });

  it('c.get("fetch") propagates the trace to outbound calls', async () => {
    const outbound = vi.fn(
      async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(null, { status: 204 }),
    );
    const { app } = build(outbound as unknown as typeof fetch);
    const res = await app.request('/call', { headers: { traceparent: `00-${TRACE}-${SPAN}-01` } });
    expect(await res.json()).toEqual({ status: 204 });
    expect(outbound).toHaveBeenCalledTimes(1);
    const sent = new Headers(outbound.mock.calls[0]![1]?.headers).get('traceparent');
    expect(sent).toBe(res.headers.get('traceparent'));
    expect(sent).toMatch(new RegExp(`^00-${TRACE}-`));
  });
});

describe('hasBody: whether a request has a body, without building a body stream it does not need', () => {
  /** A request from a socket as the Node adapter makes it: its body stream is built only when asked for. */
  const fromSocket = (method: string, headers: Record<string, string>) => {
    const built: string[] = [];
    const req = new Request('http://127.0.0.1:7000/x', { method, headers });
    Object.defineProperty(req, 'body', {
      get: () => {
        built.push(method);
        return method === 'POST' ? new ReadableStream() : null;
      },
    });
    return { req, built };
  };

  it('answers from the method and a declared length, and asks for the stream only when neither tells', () => {
    const get = fromSocket('GET', {});
    expect(hasBody(get.req)).toBe(false);
    const post = fromSocket('POST', { 'content-length': '12' });
    expect(hasBody(post.req)).toBe(true);
    const empty = fromSocket('POST', { 'content-length': '0' });
    expect(hasBody(empty.req)).toBe(false);
    expect([...get.built, ...post.built, ...empty.built]).toEqual([]);
    const chunked = fromSocket('POST', { 'transfer-encoding': 'chunked' });
    expect(hasBody(chunked.req)).toBe(true);
    expect(chunked.built).toEqual(['POST']);
    // A Request made in this process declares no length: its body says.
    expect(hasBody(new Request('http://127.0.0.1:7000/x', { method: 'POST', body: 'x' }))).toBe(true);
    expect(hasBody(new Request('http://127.0.0.1:7000/x', { method: 'POST' }))).toBe(false);
  });
});
