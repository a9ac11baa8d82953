import { join } from 'node:path';
import { createTestFederation, DEMO_CLIENT, type TestFederation } from '@kakehashi/msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelyingParty } from '../src/app.ts';
import { createBrowser } from './support/browser.ts';
import { interceptWith, watchListeningSockets } from './support/msw.ts';

/**
 * The relying party's own tests, as an integrator writes them: Kakehashi runs inside the test process and msw
 * answers the app's requests to it (discovery, JWKS, token endpoint) and the browser's (authorize, the hub's
 * cross-border relay). The relying party itself is called in-process. No socket is opened for listening.
 */
describe('example relying party, tested through @kakehashi/msw', () => {
  const sockets = watchListeningSockets();
  const RP = 'http://127.0.0.1:3000';
  let fed: TestFederation<'DE' | 'JP'>;
  let server: ReturnType<typeof interceptWith>;

  beforeAll(async () => {
    fed = await createTestFederation({
      countries: ['DE', 'JP'],
      // Trust material is generated once per seed and cached (here beside the repository's other test caches).
      trustCacheDir: join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'kakehashi-test-trust'),
      seed: 'kakehashi-test',
    });
    server = interceptWith(...fed.handlers);
  }, 180_000);
  afterAll(async () => {
    server?.close();
    await fed?.close();
    sockets.restore();
  });

  const rpAt = (issuer: string) =>
    createRelyingParty({ issuer, clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret });

  it('logs a Japanese persona in at the JP node and shows the eIDAS minimum data set', async () => {
    const app = rpAt(fed.origins.JP);
    const browser = createBrowser({ [RP]: app });
    const { response, visited } = await browser.open(`${RP}/login?kakehashi_persona=jp-001`);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(visited.map((u) => new URL(u).origin)).toEqual([RP, fed.origins.JP, RP, RP]);

    const persona = fed.personas.JP[0];
    expect(html).toContain(persona?.familyName);
    expect(html).toContain(persona?.familyNameLatin);
    expect(html).toMatch(/data-testid="person-identifier">JP\/JP\/[A-Za-z0-9_-]{43}</);
    const me = (await (await browser.open(`${RP}/me`)).response.json()) as Record<string, string>;
    expect(me).toMatchObject({
      familyName: persona?.familyName,
      givenName: persona?.givenName,
      familyNameLatin: persona?.familyNameLatin,
      dateOfBirth: persona?.dateOfBirth,
      issuer: fed.origins.JP,
      levelOfAssurance: 'http://eidas.europa.eu/LoA/high',
    });
  });

  it('logs a Japanese citizen in at the German node across the border (through the hub)', async () => {
    const browser = createBrowser({ [RP]: rpAt(fed.origins.DE) });
    const { response, visited } = await browser.open(`${RP}/login?kakehashi_country=JP&kakehashi_persona=jp-002`);
    expect(response.status).toBe(200);
    expect(new Set(visited.map((u) => new URL(u).origin))).toEqual(
      new Set([RP, fed.origins.DE, fed.origins.hub, fed.origins.JP]),
    );
    const me = (await (await browser.open(`${RP}/me`)).response.json()) as Record<string, string>;
    expect(me.familyName).toBe(fed.personas.JP[1]?.familyName);
    expect(me.issuer).toBe(fed.origins.DE);
    // Issued by Japan for Germany: JP/DE/…
    expect(me.personIdentifier).toMatch(/^JP\/DE\//);
  });

  it('refuses a callback it did not start, and one whose ID token is not from its provider', async () => {
    const app = rpAt(fed.origins.JP);
    const browser = createBrowser({ [RP]: app });
    const stray = await browser.open(`${RP}/callback?code=x&state=y&iss=${encodeURIComponent(fed.origins.JP)}`);
    expect(stray.response.status).toBe(400);
    expect(await stray.response.text()).toContain('No login in progress');

    // A login whose answer is swapped for another node's: openid-client refuses the issuer.
    const start = await app.fetch(new Request(`${RP}/login?kakehashi_persona=jp-001`));
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const authorize = new URL(start.headers.get('location') as string);
    const otherNode = new URL(`${fed.origins.DE}/oidc/authorize${authorize.search}`);
    otherNode.searchParams.set('kakehashi_persona', 'de-001');
    const callback = (await fetch(otherNode, { redirect: 'manual' })).headers.get('location') as string;
    const refused = await app.fetch(new Request(callback, { headers: { cookie } }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/data-testid="error"/);
  });

  it('opened no listening socket', () => {
    expect(sockets.attempts).toEqual([]);
    expect(sockets.listening()).toEqual([]);
  });
});
