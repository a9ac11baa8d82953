import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFederationHandlers } from '../src/index.ts';
import { intercept, watchListeningSockets } from './support/sockets.ts';

/**
 * The handlers alone, in front of a small fetch handler that shows what it received: what a component sees and what
 * the client gets back must survive msw unchanged — methods, headers, cookies both ways, request and response bodies
 * (streamed, binary), redirects.
 */
describe('createFederationHandlers', () => {
  const sockets = watchListeningSockets();
  const ORIGIN = 'http://127.0.0.1:7990';
  const big = randomBytes(3 * 65_536 + 17);
  const seen: { method: string; cookie: string | null; body: Buffer }[] = [];
  const app = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    seen.push({
      method: request.method,
      cookie: request.headers.get('cookie'),
      body: Buffer.from(await request.arrayBuffer()),
    });
    if (url.pathname === '/login') {
      const headers = new Headers({ location: `${ORIGIN}/home` });
      headers.append('set-cookie', 'session=abc; Path=/; HttpOnly; SameSite=Lax');
      headers.append('set-cookie', 'theme=dark; Path=/');
      return new Response(null, { status: 302, headers });
    }
    if (url.pathname === '/home') return new Response(`home ${request.headers.get('cookie') ?? ''}`);
    if (url.pathname === '/stream') {
      // Three chunks, as a component streaming a large payload would.
      let i = 0;
      const chunk = 65_536;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (i * chunk >= big.length) return controller.close();
            controller.enqueue(big.subarray(i * chunk, (i + 1) * chunk));
            i++;
          },
        }),
        { headers: { 'content-type': 'application/octet-stream' } },
      );
    }
    return new Response('not found', { status: 404 });
  };
  let server: ReturnType<typeof intercept>;
  beforeAll(() => {
    server = intercept(createFederationHandlers([ORIGIN], (input, init) => app(new Request(input, init))));
  });
  afterAll(() => {
    server.close();
    sockets.restore();
  });

  it('keeps a redirect with its cookies (manual), and fetch follows it to the target (follow)', async () => {
    const manual = await fetch(`${ORIGIN}/login`, { method: 'POST', body: 'user=a', redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe(`${ORIGIN}/home`);
    expect(manual.headers.getSetCookie()).toEqual([
      'session=abc; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Path=/',
    ]);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: Buffer.from('user=a') });

    const home = await fetch(`${ORIGIN}/home`, { headers: { cookie: 'session=abc; theme=dark' } });
    expect(await home.text()).toBe('home session=abc; theme=dark');

    const followed = await fetch(`${ORIGIN}/login`);
    expect(followed.redirected).toBe(true);
    expect(followed.url).toBe(`${ORIGIN}/home`);
    expect(followed.status).toBe(200);
  });

  it('streams bodies both ways byte for byte', async () => {
    const res = await fetch(`${ORIGIN}/stream`);
    const chunks: Uint8Array[] = [];
    for await (const c of res.body as ReadableStream<Uint8Array>) chunks.push(c);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);

    const upload = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(big.subarray(0, 70_000));
        controller.enqueue(big.subarray(70_000));
        controller.close();
      },
    });
    await fetch(`${ORIGIN}/upload`, { method: 'PUT', body: upload, duplex: 'half' } as RequestInit);
    expect(seen.at(-1)?.method).toBe('PUT');
    expect(seen.at(-1)?.body.equals(big)).toBe(true);
  });

  it('answers only its origins: another port is not the federation', async () => {
    await expect(fetch('http://127.0.0.1:7991/login')).rejects.toThrow();
    expect(sockets.attempts).toEqual([]);
  });
});
