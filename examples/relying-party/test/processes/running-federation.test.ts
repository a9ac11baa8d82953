import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, startCli } from '../../../../tests/support/processes.ts';
import { createRelyingParty } from '../../src/app.ts';
import { createBrowser } from '../support/browser.ts';

/**
 * The same relying party against a running federation: `kakehashi start --port 0` in its own process, the app
 * served on its own OS-chosen port, and every request of the login over loopback HTTP — nothing intercepted.
 */
describe('example relying party against `kakehashi start`', () => {
  let cli: Started;
  let nodes: Record<string, string>;
  let rp: { url: string; close(): Promise<void> } | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kk-example-rp-'));

  beforeAll(async () => {
    // The certificates name the hub's URL, new with every OS port: issued at start, with the keys of the tests'
    // shared trust cache (startCli's default).
    cli = startCli(['start', '--port', '0', '--json', '--data-dir', dir], {
      KAKEHASHI_SEED: 'kakehashi-test',
      KAKEHASHI_COUNTRIES: 'DE,JP',
    });
    nodes = ((await cli.waitFor((e) => e.event === 'federation-ready')) as { nodes: Record<string, string> }).nodes;
  }, 180_000);
  afterAll(async () => {
    await rp?.close();
    await cli?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Serves the relying party of `issuer` on 127.0.0.1, port from the OS. */
  const start = async (issuer: string) => {
    const app = createRelyingParty({ issuer, clientId: 'kakehashi-demo-rp', clientSecret: 'kakehashi-demo-secret' });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  };

  it('logs a persona in at the JP node over HTTP and shows the eIDAS minimum data set', async () => {
    rp = await start(nodes.JP as string);
    const personas = (await (await fetch(`${nodes.JP}/personas`)).json()) as { id: string; familyName: string }[];
    const browser = createBrowser();
    const { response, visited } = await browser.open(`${rp.url}/login?kakehashi_persona=jp-001`);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(visited.map((u) => new URL(u).origin)).toEqual([rp.url, nodes.JP, rp.url, rp.url]);
    expect(html).toContain(personas.find((p) => p.id === 'jp-001')?.familyName);
    const me = (await (await browser.open(`${rp.url}/me`)).response.json()) as Record<string, string>;
    expect(me.issuer).toBe(nodes.JP);
    expect(me.personIdentifier).toMatch(/^JP\/JP\/[A-Za-z0-9_-]{43}$/);
  });
});
