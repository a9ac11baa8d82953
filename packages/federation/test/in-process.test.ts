import { isKakehashiError, LayeredConfig } from '@kakehashi/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFederation, federationCountries } from '../src/create-federation.ts';
import { createInProcessFetch } from '../src/in-process-fetch.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';

describe('in-process fetch', () => {
  it('routes by origin into the app, keeps method, headers and body, and falls back for unknown origins', async () => {
    const app = new Hono().post('/echo', async (c) => c.json({ body: await c.req.json(), h: c.req.header('x-test') }));
    const seen: string[] = [];
    const fallback = (async (input: RequestInfo | URL) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return new Response('fallback', { status: 599 });
    }) as typeof fetch;
    const f = createInProcessFetch(new Map([['http://127.0.0.1:7000', app]]), fallback);
    const r = await f('http://127.0.0.1:7000/echo', {
      method: 'POST',
      headers: { 'x-test': 'yes', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await r.json()).toEqual({ body: { a: 1 }, h: 'yes' });
    expect((await f('http://127.0.0.1:7999/x')).status).toBe(599);
    expect(seen).toEqual(['http://127.0.0.1:7999/x']);
  });

  it('hands the app a Request whose body is read without web streams, and reads as one over a socket would', async () => {
    const seen: Record<string, unknown>[] = [];
    const app = new Hono()
      .post('/text', async (c) => {
        const raw = c.req.raw;
        const text = await raw.text();
        let second = 'read again';
        await raw.text().catch((e: unknown) => {
          second = e instanceof TypeError ? 'TypeError' : String(e);
        });
        seen.push({
          isRequest: raw instanceof Request,
          text,
          second,
          used: raw.bodyUsed,
          type: raw.headers.get('content-type'),
          length: raw.headers.get('content-length'),
          method: raw.method,
        });
        return c.text('ok');
      })
      .post('/form', async (c) => c.json(await c.req.parseBody()))
      .put('/bytes', async (c) => c.json([...new Uint8Array(await c.req.arrayBuffer())]))
      .post('/stream', async (c) => {
        const copy = c.req.raw.clone();
        const chunks: string[] = [];
        for await (const chunk of c.req.raw.body as unknown as AsyncIterable<Uint8Array>)
          chunks.push(Buffer.from(chunk).toString());
        return c.json({ streamed: chunks.join(''), clone: await copy.text() });
      })
      .get('/nobody', async (c) => c.json({ body: await c.req.raw.text(), hasStream: c.req.raw.body !== null }));
    const f = createInProcessFetch(new Map([['http://127.0.0.1:7000', app]]));
    await f('http://127.0.0.1:7000/text', { method: 'post', body: 'héllo' });
    expect(seen).toEqual([
      {
        isRequest: true,
        text: 'héllo',
        second: 'TypeError',
        used: true,
        type: 'text/plain;charset=UTF-8',
        length: '6',
        method: 'POST',
      },
    ]);
    const form = await f('http://127.0.0.1:7000/form', {
      method: 'POST',
      body: new URLSearchParams({ a: '1', b: 'x y' }),
    });
    expect(await form.json()).toEqual({ a: '1', b: 'x y' });
    const bytes = await f('http://127.0.0.1:7000/bytes', { method: 'PUT', body: new Uint8Array([1, 2, 255]) });
    expect(await bytes.json()).toEqual([1, 2, 255]);
    const streamed = await f(new URL('http://127.0.0.1:7000/stream'), { method: 'POST', body: '{"x":1}' });
    expect(await streamed.json()).toEqual({ streamed: '{"x":1}', clone: '{"x":1}' });
    expect(await (await f('http://127.0.0.1:7000/nobody')).json()).toEqual({ body: '', hasStream: false });
    // What `new Request` refuses is refused as before.
    await expect(f('http://127.0.0.1:7000/text', { method: 'GET', body: 'x' })).rejects.toThrow(TypeError);
  });

  it("honours the caller's AbortSignal as fetch does: the call rejects with its reason, the app sees the abort", async () => {
    let started: () => void = () => {};
    const running = new Promise<void>((res) => {
      started = res;
    });
    let sawAbort: () => void = () => {};
    const aborted = new Promise<void>((res) => {
      sawAbort = res;
    });
    // An app that answers only once the request is aborted (a hanging peer).
    const app = new Hono().get(
      '/hang',
      (c) =>
        new Promise<Response>((res) => {
          c.req.raw.signal.addEventListener('abort', () => {
            sawAbort();
            res(c.text('too late'));
          });
          started();
        }),
    );
    const f = createInProcessFetch(new Map([['http://127.0.0.1:7000', app]]));
    const controller = new AbortController();
    const call = f('http://127.0.0.1:7000/hang', { signal: controller.signal });
    await running;
    controller.abort(new DOMException('gave up', 'TimeoutError'));
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    await aborted;
    await expect(f('http://127.0.0.1:7000/hang', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
  it('gives the app the Host of the origin and the response the URL that answered', async () => {
    const app = new Hono().get('/who', (c) => c.text(c.req.header('host') ?? 'none'));
    const f = createInProcessFetch(new Map([['http://127.0.0.1:7000', app]]));
    const r = await f('http://127.0.0.1:7000/who');
    expect(await r.text()).toBe('127.0.0.1:7000');
    expect(r.url).toBe('http://127.0.0.1:7000/who');
  });

  it('follows redirects as fetch does: 303 and POST→302 become GETs, manual and error are honoured', async () => {
    const a = new Hono()
      .post('/submit', (c) => c.redirect('http://127.0.0.1:7001/done', 303))
      .post('/moved', (c) => c.redirect('/done', 302))
      .get('/done', (c) => c.json({ at: 'a', method: c.req.method, type: c.req.header('content-type') ?? null }))
      .put('/keep', (c) => c.redirect('/done', 307))
      .get('/loop', (c) => c.redirect('/loop', 302));
    const b = new Hono().get('/done', (c) =>
      c.json({
        at: 'b',
        method: c.req.method,
        auth: c.req.header('authorization') ?? null,
        host: c.req.header('host'),
      }),
    );
    const f = createInProcessFetch(
      new Map([
        ['http://127.0.0.1:7000', a],
        ['http://127.0.0.1:7001', b],
      ]),
    );
    const post = { method: 'POST', headers: { 'content-type': 'text/plain', authorization: 'Bearer x' }, body: 'hi' };
    const crossed = await f('http://127.0.0.1:7000/submit', post);
    expect(await crossed.json()).toEqual({ at: 'b', method: 'GET', auth: null, host: '127.0.0.1:7001' });
    expect(crossed.url).toBe('http://127.0.0.1:7001/done');
    expect(await (await f('http://127.0.0.1:7000/moved', post)).json()).toEqual({ at: 'a', method: 'GET', type: null });
    const manual = await f('http://127.0.0.1:7000/moved', { ...post, redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([302, '/done']);
    await expect(f('http://127.0.0.1:7000/moved', { ...post, redirect: 'error' })).rejects.toThrow(TypeError);
    await expect(f('http://127.0.0.1:7000/keep', { method: 'PUT', body: 'x' })).rejects.toThrow(/request body/);
    await expect(f('http://127.0.0.1:7000/loop')).rejects.toThrow(/redirect count exceeded/);
  });
});

describe('federation composition', () => {
  it('orders countries by profile, whatever order the option gives', () => {
    const config = new LayeredConfig(FEDERATION_OPTIONS, { env: { KAKEHASHI_COUNTRIES: 'jp,de, ee' } });
    expect(federationCountries(config)).toEqual(['DE', 'EE', 'JP']);
  });

  it('refuses an unknown country and a malformed --only with clear errors', async () => {
    const bad = new LayeredConfig(FEDERATION_OPTIONS, { env: { KAKEHASHI_COUNTRIES: 'DE,XX' } });
    let err: unknown;
    try {
      federationCountries(bad);
    } catch (e) {
      err = e;
    }
    expect(isKakehashiError(err, 'unknown-country')).toBe(true);
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_COUNTRIES: 'DE' },
      cli: { dataDir: ':memory:' },
    });
    await expect(createFederation({ config, mode: 'in-process', only: 'node' })).rejects.toThrow(
      /--only takes "hub" or "node:CC"/,
    );
    await expect(createFederation({ config, mode: 'in-process', only: 'node:JP' })).rejects.toThrow(
      /not in the countries option/,
    );
  });
});
