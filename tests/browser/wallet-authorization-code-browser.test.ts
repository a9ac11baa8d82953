import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation, SCENARIOS } from '@kakehashi/federation';
import { HolderWallet, type LoginDriver } from '@kakehashi/wallet';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * The authorization code flow's login page in Debian's Chromium (playwright-core): the wallet pushes its request to
 * Estonia's PID provider, the browser opens the authorization URL, lands on EE's own persona picker (the page of
 * every OIDC login at that node), the person clicks a persona, and the browser comes back to the wallet's redirect
 * URI (a local page standing in for the wallet app's link) with the code; the wallet exchanges it and holds the PID
 * of the persona clicked. (The PID provider hands a browser a page that moves on to the wallet: the picker's CSP
 * form-action would block a redirect to the wallet's origin.) A refusal of the browser (CSP, script error) fails the test.
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(`\n[kakehashi/browser] Chromium is NOT INSTALLED at ${CHROMIUM}: the wallet login test is SKIPPED.\n`);
const tid = (id: string) => `[data-testid="${id}"]`;

describe.skipIf(!present && !REQUIRED)("the authorization code flow's login page in Chromium (EE)", () => {
  let f: Federation;
  let browser: Browser;
  let dataDir: string;
  let walletApp: Server;
  let redirectUri: string;
  const arrivals: string[] = [];
  const refusals: string[] = [];

  beforeAll(async () => {
    if (!present) throw new Error(`[kakehashi/browser] Chromium is required but ${CHROMIUM} is missing`);
    dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-authcode-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0', KAKEHASHI_COUNTRIES: 'EE' },
      cli: { dataDir, seed: 'kakehashi-test', port: 0, trustCacheDir: TRUST_CACHE },
    });
    f = await createFederation({ config, mode: 'listen', logger: createMemoryLogger('warn'), scenarios: SCENARIOS });
    // The wallet app's redirect URI: a page that keeps the URL it was opened with (the OS asks for a free port).
    walletApp = createServer((req, res) => {
      if (req.url?.startsWith('/callback')) arrivals.push(`${redirectUri.replace(/\/callback$/, '')}${req.url}`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>wallet</title><p data-testid="wallet-callback">Back in the wallet</p>');
    });
    await new Promise<void>((resolve) => walletApp.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(walletApp.address() as AddressInfo).port}/callback`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => walletApp?.close(resolve));
    await f?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the person clicks a persona at the picker; the wallet gets the code and the PID of that persona', async () => {
    const ee = f.urls.nodes.EE as string;
    const personas = (await (await fetch(`${ee}/personas`)).json()) as { id: string; familyNameLatin: string }[];
    const who = personas[3] as (typeof personas)[number];
    const offer = (await (
      await fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant: 'authorization_code' }),
      })
    ).json()) as { credential_offer_url: string };

    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('console', (m) => {
      if (m.type() === 'error') refusals.push(m.text());
    });
    page.on('pageerror', (e) => refusals.push(`Uncaught ${e.message}`));
    // The login as a person does it: the browser opens the authorization URL and the picker is clicked.
    const login: LoginDriver = async (url) => {
      await page.goto(url);
      await page.waitForSelector(tid(`persona-${who.id}`));
      expect(new URL(page.url()).pathname).toBe('/oidc/authorize');
      await page.click(tid(`persona-${who.id}`));
      await page.waitForSelector(tid('wallet-callback'));
      return page.url();
    };
    const wallet = new HolderWallet({ fetch, clock: { now: () => f.clock.now() } });
    const held = await wallet.receive(offer.credential_offer_url, { login, redirectUri });
    expect(refusals.filter((r) => /Content Security Policy|Refused to|Uncaught/i.test(r))).toEqual([]);
    expect(arrivals).toHaveLength(1);
    const back = new URL(arrivals[0] as string);
    expect(back.searchParams.get('code')).toEqual(expect.any(String));
    expect(back.searchParams.get('iss')).toBe(`${ee}/wallet/issuer`);
    const familyName = held.credential
      .split('~')
      .slice(1)
      .filter(Boolean)
      .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[])
      .find((a) => a[1] === 'family_name')?.[2];
    expect(familyName).toBe(who.familyNameLatin);
    await context.close();
  }, 180_000);
});
