import { describe, expect, it } from 'vitest';
import {
  CORE_OPTIONS,
  type ComponentDeps,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  inProcessRequest,
  isInProcessResponse,
  LayeredConfig,
  lightResponse,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  VirtualClock,
} from '../src/index.ts';

function build() {
  const store = openStore({ name: 't' });
  const traces = new MemoryTraceSink();
  const deps: ComponentDeps = {
    store,
    clock: new VirtualClock(),
    random: new SeededRandom('in-process-response-test'),
    logger: createMemoryLogger(),
    config: new LayeredConfig(CORE_OPTIONS),
    fetch,
    traces,
    faults: new FaultSwitchboard(),
  };
  const app = createComponentApp({ component: 'hub', name: 'hub', version: '0' }, deps);
  app.get('/json', (c) => c.json({ a: 1, s: 'é' }, 201, { 'x-route': 'yes' }));
  app.get('/text', (c) => c.text('plain \ud800 text'));
  app.get('/html', (c) => c.html('<p>hi</p>'));
  app.get('/redirect', (c) => c.redirect('/json', 303));
  app.get('/empty', (c) => c.body(null, 204));
  app.get('/bytes', (c) => c.body(new Uint8Array([1, 2, 3]), 200, { 'content-type': 'application/octet-stream' }));
  app.get('/stream', (c) => c.body(new Blob(['streamed']).stream()));
  app.get('/bad-status', (c) => c.json({}, 600 as 200));
  app.get('/boom', () => {
    throw new Error('internal');
  });
  return { app, store, traces };
}

const origin = 'http://127.0.0.1:7000';
/** The same GET as an in-process hop (light request) and as a real Request (a socket's). */
async function both(app: ReturnType<typeof build>['app'], path: string) {
  const light = await app.fetch(inProcessRequest(`${origin}${path}`, undefined) as Request);
  const real = await app.fetch(new Request(`${origin}${path}`));
  return { light, real };
}

/** Everything a caller can read of a response, its body as text. */
async function seen(res: Response) {
  const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== 'traceparent'));
  // A problem names the trace of its request: each request has its own.
  const body = (await res.text()).replace(/"traceId":"[0-9a-f]{32}"/, '"traceId":"…"');
  return { status: res.status, statusText: res.statusText, ok: res.ok, headers, body };
}

describe('in-process response: the answer to a hop inside one process, without a body stream', () => {
  it('reads as the answer to a socket request does: status, headers (security, content type), body', async () => {
    const { app, store } = build();
    for (const path of ['/json', '/text', '/html', '/redirect', '/empty', '/bytes', '/nope', '/boom']) {
      const { light, real } = await both(app, path);
      expect(isInProcessResponse(light), path).toBe(true);
      expect(isInProcessResponse(real), path).toBe(false);
      expect(light).toBeInstanceOf(Response);
      expect(light.headers.get('traceparent'), path).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(await seen(light), path).toEqual(await seen(real));
    }
    // A lone surrogate reads as U+FFFD, as UTF-8 carries it.
    expect(await (await both(app, '/text')).light.text()).toBe('plain \ufffd text');
    expect(await (await both(app, '/json')).light.json()).toEqual({ a: 1, s: 'é' });
    expect([...new Uint8Array(await (await both(app, '/bytes')).light.arrayBuffer())]).toEqual([1, 2, 3]);
    store.close();
  });

  it('reads its body once, and gives the body stream, a clone and a Blob from a real response made on demand', async () => {
    const { app, store } = build();
    const once = (await both(app, '/json')).light;
    expect(once.bodyUsed).toBe(false);
    await once.text();
    expect(once.bodyUsed).toBe(true);
    await expect(once.json()).rejects.toThrow(TypeError);
    expect(() => once.clone()).toThrow(TypeError);

    const streamed = (await both(app, '/json')).light;
    expect(streamed.body).toBeInstanceOf(ReadableStream);
    expect(await new Response(streamed.body).text()).toBe('{"a":1,"s":"é"}');
    expect(streamed.bodyUsed).toBe(true);

    const cloned = (await both(app, '/json')).light;
    const copy = cloned.clone();
    expect(await copy.json()).toEqual({ a: 1, s: 'é' });
    expect(await (await cloned.blob()).text()).toBe('{"a":1,"s":"é"}');
    // A redirect and a 204 have no body at all (nothing built for it).
    expect((await both(app, '/redirect')).light.body).toBeNull();
    expect((await both(app, '/empty')).light.body).toBeNull();
    store.close();
  });

  it('a body of another kind is a real response; the constructor checks stay; the global Response is restored', async () => {
    const { app, store } = build();
    const GlobalResponse = globalThis.Response;
    const stream = (await both(app, '/stream')).light;
    expect(isInProcessResponse(stream)).toBe(false);
    expect(await stream.text()).toBe('streamed');
    const { light, real } = await both(app, '/bad-status');
    expect(light.status).toBe(500);
    expect(await seen(light)).toEqual(await seen(real));
    expect(globalThis.Response).toBe(GlobalResponse);
    store.close();
  });

  it('lightResponse makes one directly, read as a Response with the same body and headers is', async () => {
    const init = { status: 200, headers: { 'content-type': 'application/statuslist+jwt' } };
    const light = lightResponse('a.b.c', init);
    const real = new Response('a.b.c', init);
    expect(isInProcessResponse(light)).toBe(true);
    expect(light).toBeInstanceOf(Response);
    expect([light.ok, light.status, light.headers.get('content-type')]).toEqual([
      true,
      200,
      'application/statuslist+jwt',
    ]);
    expect(await light.text()).toBe(await real.text());
    await expect(light.text()).rejects.toThrow(TypeError);
    expect(isInProcessResponse(lightResponse(new Blob(['x'])))).toBe(false);
  });

  it('the hop is traced as before: one inbound event with the status', async () => {
    const { app, traces, store } = build();
    await both(app, '/json');
    const inbound = traces.events.filter((e) => e.operation === 'GET /json');
    expect(inbound.map((e) => e.status)).toEqual([201, 201]);
    store.close();
  });
});
