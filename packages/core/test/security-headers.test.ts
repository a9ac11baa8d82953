import { afterEach, describe, expect, it } from 'vitest';
import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  mountDocs,
  openStore,
  SeededRandom,
  type Store,
  VirtualClock,
} from '../src/index.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function build() {
  const store = openStore({ name: 't' });
  stores.push(store);
  const info = { component: 'hub' as const, name: 'Hub under test', version: '0.1.0' };
  const app = createComponentApp(info, {
    store,
    clock: new VirtualClock(),
    random: new SeededRandom('headers-test'),
    logger: createMemoryLogger(),
    config: new LayeredConfig(CORE_OPTIONS),
    fetch,
    traces: new MemoryTraceSink(),
    faults: new FaultSwitchboard(),
  });
  mountDocs(app, info, 'Under test.');
  app.get('/plain', (c) => c.html('<!doctype html><p>no headers of its own</p>'));
  app.get('/own', (c) => {
    c.header('content-security-policy', "default-src 'none'; script-src 'self'; frame-ancestors 'self'");
    return c.html('<!doctype html><p>its own policy</p>');
  });
  app.get('/framed', (c) => {
    c.header('content-security-policy', "default-src 'none'; frame-ancestors 'self' http://console.test");
    return c.html('<!doctype html><p>framed by the console</p>');
  });
  app.get('/no-ancestors', (c) => {
    c.header('content-security-policy', "default-src 'none'");
    return c.html('<!doctype html><p>a policy without frame-ancestors</p>');
  });
  app.get('/relayed', () => new Response('<p>relayed</p>', { headers: { 'content-type': 'text/html' } }));
  app.get('/data', (c) => c.json({ ok: true }));
  return app;
}

const directives = (csp: string | null) =>
  Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([k, ...v]) => [k, v]),
  );

describe('security headers on every component', () => {
  it('gives an HTML page without headers of its own the baseline: CSP, no framing, nosniff, no referrer', async () => {
    for (const path of ['/plain', '/relayed']) {
      const res = await build().request(path);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp['default-src']).toEqual(["'none'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      expect(csp['base-uri']).toEqual(["'none'"]);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it("keeps a page's own policy and derives the frame protection from it", async () => {
    const app = build();
    const own = await app.request('/own');
    expect(own.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; frame-ancestors 'self'",
    );
    expect(own.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    // A page another origin may frame (Japan's portal in the console) gets no X-Frame-Options, which would forbid it.
    const framed = await app.request('/framed');
    expect(framed.headers.get('content-security-policy')).toContain('http://console.test');
    expect(framed.headers.get('x-frame-options')).toBeNull();
    // A policy that says nothing about framing: framing is denied.
    expect((await app.request('/no-ancestors')).headers.get('x-frame-options')).toBe('DENY');
  });

  it('gives JSON and problem answers nosniff', async () => {
    const app = build();
    expect((await app.request('/data')).headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await app.request('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves /docs with a policy that allows exactly its own script and style files', async () => {
    const app = build();
    const res = await app.request('/docs');
    const html = await res.text();
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(html).not.toMatch(/<script>/); // no inline script: the start-up code is a file of its own
    for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)) {
      const asset = await app.request(src);
      expect(asset.status, src).toBe(200);
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
