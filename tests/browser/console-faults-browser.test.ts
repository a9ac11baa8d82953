import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation, SCENARIOS } from '@kakehashi/federation';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * The console's Faults tab in Debian's Chromium: a fault is switched on in the panel (with the admin token), shown as
 * a deliberate weakness, a login fires it and the hops it touched are marked in the diagram and the inspector; then
 * it is switched off again. Screenshots go to test-results/console/.
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/console] Chromium is NOT INSTALLED at ${CHROMIUM}: the browser tests of the console's Faults tab are SKIPPED.\nInstall it (apt-get install chromium chromium-driver) or set KAKEHASHI_CHROMIUM — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'console');
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' };
const tid = (id: string) => `[data-testid="${id}"]`;
const FAULT = 'hub.relay-slow';

describe.skipIf(!present && !REQUIRED)("the console's Faults tab in Chromium", () => {
  let f: Federation;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!present)
      throw new Error(
        `[kakehashi/console] Chromium is required (KAKEHASHI_REQUIRE_TOOLS=1) but ${CHROMIUM} is missing`,
      );
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-console-faults-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0', KAKEHASHI_COUNTRIES: 'DE,EE' },
      // The certificates name the hub's URL, new with every OS port: issued at start with the shared cache's keys.
      cli: { dataDir, seed: 'kakehashi-test', port: 0, trustCacheDir: TRUST_CACHE },
    });
    f = await createFederation({ config, mode: 'listen', logger: createMemoryLogger('warn'), scenarios: SCENARIOS });
    // The relay's wait while hub.relay-slow is on: short, so that the login still succeeds (the e2e lane shows the
    // callers' timeouts with the default).
    const patched = await fetch(`${f.urls.hub}/admin/config`, {
      method: 'PATCH',
      headers: ADMIN,
      body: JSON.stringify({ relaySlowMs: 20 }),
    });
    expect(patched.status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(100_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const row = (component: string, name: string) => page.locator(tid(`fault-${component}-${name}`));
  const hubFaults = async () =>
    (
      (await (await fetch(`${f.urls.hub}/admin/faults`, { headers: ADMIN })).json()) as {
        faults: { name: string; enabled: boolean }[];
      }
    ).faults;

  it("lists every component's faults, all off", async () => {
    await page.goto(`${f.urls.hub}/console`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click(tid('tab-faults'));
    for (const c of ['hub', 'node:DE', 'node:EE']) await page.waitForSelector(tid(`faults-component-${c}`));
    for (const name of ['hub.relay-slow', 'hub.relay-failing', 'hub.discovery-stale'])
      expect(await row('hub', name).getAttribute('data-enabled'), name).toBe('false');
    // Each node lists the faults its blocks offer (the hub's are the hub's alone).
    expect(await page.locator(`${tid('faults-component-node:DE')} tr[data-enabled]`).count()).toBeGreaterThan(0);
    expect(await row('node:DE', FAULT).count()).toBe(0);
    expect(await page.locator(tid('faults-summary')).getAttribute('data-on')).toBe('0');
  });

  it('switches hub.relay-slow on in the panel: listed as on, highlighted, and on at the hub', async () => {
    await page.click(tid(`fault-switch-hub-${FAULT}`));
    await page.waitForSelector(`${tid(`fault-hub-${FAULT}`)}[data-enabled="true"]`);
    expect(await row('hub', FAULT).getAttribute('class')).toContain('fault-on');
    expect(await page.locator(tid('faults-summary')).textContent()).toContain(`${FAULT} @ hub`);
    expect((await hubFaults()).find((x) => x.name === FAULT)?.enabled).toBe(true);
    await page.screenshot({ path: join(SHOTS, '10-faults-on.png'), fullPage: true });
  });

  it('a cross-border login fires it: the relay hops are marked in the diagram and the inspector', async () => {
    await page.click(tid('tab-diagram'));
    await page.click(tid('scenario-run-eid-cross-border'));
    await page.waitForSelector(`${tid('scenario-result')}[data-passed="true"]`);
    await page.waitForSelector(`${tid('trace-head')}[data-trace]`);
    const marked = page.locator(`[data-testid^="hop-"][data-faults~="${FAULT}"]`);
    await marked.first().waitFor();
    // The front channel (authorize) and the back channel (token) both went through the slow relay.
    expect(await marked.count()).toBe(2);
    for (const label of await marked.evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label') ?? '')))
      expect(label).toMatch(/\/eid\/proxy\/EE\/(authorize|token)/);
    const n = (await marked.first().getAttribute('data-testid'))?.replace('hop-', '');
    expect(await page.locator(tid(`fault-badge-${n}`)).textContent()).toContain(FAULT);
    await marked.first().click();
    expect(await page.locator(tid('inspector-faults')).textContent()).toContain(FAULT);
    // Hops without a fault carry no mark.
    const all = await page.locator('[data-testid^="hop-"][data-kind]').count();
    expect(await page.locator('[data-testid^="hop-"][data-faults]').count()).toBeLessThan(all);
    await page.screenshot({ path: join(SHOTS, '11-fault-hops.png'), fullPage: true });
  });

  it('switches it off again in the panel', async () => {
    await page.click(tid('tab-faults'));
    await page.waitForSelector(`${tid(`fault-hub-${FAULT}`)}[data-enabled="true"]`);
    await page.click(tid(`fault-switch-hub-${FAULT}`));
    await page.waitForSelector(`${tid(`fault-hub-${FAULT}`)}[data-enabled="false"]`);
    expect(await page.locator(tid('faults-summary')).getAttribute('data-on')).toBe('0');
    expect((await hubFaults()).every((x) => !x.enabled)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
