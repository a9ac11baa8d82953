import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation, SCENARIOS } from '@kakehashi/federation';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * The teaching console in Debian's Chromium, driven by playwright-core: a federation listens on loopback (every
 * component on a port the OS picks), the
 * page runs a scenario from its button, draws the trace, opens a hop and shows the decoded ID token and the
 * verdict, moves the virtual clock. Screenshots are kept in test-results/console/ (CI artefacts).
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/console] Chromium is NOT INSTALLED at ${CHROMIUM}: the browser tests of the teaching console are SKIPPED.\nInstall it (apt-get install chromium chromium-driver) or set KAKEHASHI_CHROMIUM — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'console');
const tid = (id: string) => `[data-testid="${id}"]`;

describe.skipIf(!present && !REQUIRED)('teaching console in Chromium', () => {
  let f: Federation;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  let traceId = '';

  beforeAll(async () => {
    if (!present)
      throw new Error(
        `[kakehashi/console] Chromium is required (KAKEHASHI_REQUIRE_TOOLS=1) but ${CHROMIUM} is missing`,
      );
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-console-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0', KAKEHASHI_COUNTRIES: 'DE,EE,JP' },
      // The certificates name the hub's URL, new with every OS port: issued at start with the shared cache's keys.
      cli: { dataDir, seed: 'kakehashi-test', port: 0, trustCacheDir: TRUST_CACHE },
    });
    f = await createFederation({ config, mode: 'listen', logger: createMemoryLogger('warn'), scenarios: SCENARIOS });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    // Waits end as soon as the page shows the fact; the bound is generous for a loaded machine (under the test's).
    page.setDefaultTimeout(100_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (f) {
      // leave the shared clock as it was for anything else in this process
      await fetch(`${f.urls.hub}/admin/clock`, {
        method: 'POST',
        headers: { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'reset' }),
      }).catch(() => undefined);
      await f.close();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens on the hub origin, watermarked, with the topology of every component', async () => {
    await page.goto(`${f.urls.hub}/console`);
    await page.waitForSelector('body[data-ready="true"]');
    await expect(page.locator(tid('test-only-banner')).textContent()).resolves.toContain('TEST ONLY');
    expect(await page.locator(tid('watermark')).textContent()).toBe('TEST ONLY');
    for (const id of ['topology-hub', 'topology-node-DE', 'topology-node-EE', 'topology-node-JP'])
      await page.waitForSelector(`${tid(id)}[data-status="ok"]`);
    expect(await page.locator(tid('topology-node-DE')).textContent()).toContain('registered');
    // every scenario the federation knows has its button
    const names = (await (await fetch(`${f.urls.hub}/console/api/scenarios`)).json()) as {
      scenarios: { name: string }[];
    };
    expect(names.scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(['federation', 'eid-cross-border']));
    for (const s of names.scenarios) expect(await page.locator(tid(`scenario-run-${s.name}`)).count()).toBe(1);
    // served on the hub's origin, and described in the hub's OpenAPI document
    const doc = (await (await fetch(`${f.urls.hub}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/console',
        '/console/api/scenarios/{name}/run',
        '/console/api/nodes/{country}/personas',
      ]),
    );
    await page.screenshot({ path: join(SHOTS, '01-topology.png'), fullPage: true });
  });

  it('runs eid-cross-border from its button, shows the report and draws every hop of its trace', async () => {
    await page.click(tid('scenario-run-eid-cross-border'));
    await page.waitForSelector(`${tid('scenario-result')}[data-passed="true"]`);
    expect(await page.locator('[data-testid^="scenario-step-"]').count()).toBe(6);
    await page.waitForSelector(`${tid('trace-head')}[data-trace]`);
    traceId = (await page.locator(tid('trace-head')).getAttribute('data-trace')) ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await page.waitForSelector(tid('hop-1'));

    // the diagram has one hop per event the hub stored for the trace, an arrow per request
    const { events } = (await (await fetch(`${f.urls.hub}/traces/${traceId}`)).json()) as {
      events: { direction: string }[];
    };
    const requests = events.filter((e) => e.direction !== 'internal').length;
    expect(requests).toBeGreaterThanOrEqual(8);
    expect(await page.locator('[data-testid^="hop-"]').count()).toBe(events.length);
    expect(await page.locator('[data-testid^="hop-"][data-kind="arrow"]').count()).toBe(requests);
    for (const l of ['lifeline-node:DE', 'lifeline-hub', 'lifeline-node:EE'])
      expect(await page.locator(tid(l)).count(), l).toBe(1);
    // the first hop is the German service sending the citizen to DE's node; the relay goes through the hub
    expect(await page.locator(tid('hop-1')).getAttribute('data-to')).toBe('node:DE');
    expect(
      await page.locator('[data-testid^="hop-"][data-from="node:DE"][data-to="hub"]').count(),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await page.locator('[data-testid^="hop-"][data-from="hub"][data-to="node:EE"]').count(),
    ).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, '02-scenario-diagram.png'), fullPage: true });
  });

  it('opens a hop: the decoded ID token claims and a verdict row per rule', async () => {
    const hop = page.locator('[data-testid^="hop-"][aria-label*="ID token from EE validated"]');
    expect(await hop.count()).toBe(1);
    await hop.click();
    const inspector = page.locator(tid('inspector'));
    await inspector.locator(tid('claim-eidas_person_identifier')).waitFor();
    expect(await inspector.locator(tid('inspector-operation')).textContent()).toContain('ID token from EE validated');
    const pid = await inspector
      .locator(`${tid('claim-eidas_person_identifier')} td`)
      .nth(1)
      .textContent();
    expect(pid).toMatch(/^EE\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(
      await inspector
        .locator(`${tid('claim-iss')} td`)
        .nth(1)
        .textContent(),
    ).toBe(f.urls.nodes.EE);
    expect(
      await inspector
        .locator(`${tid('header-alg')} td`)
        .nth(1)
        .textContent(),
    ).toBe('RS256');
    // NumericDate claims are shown with their ISO 8601 form
    expect(
      await inspector
        .locator(`${tid('claim-exp')} td`)
        .nth(2)
        .textContent(),
    ).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect(await inspector.locator(tid('verdict-summary')).textContent()).toMatch(/^valid/);
    const rules = await inspector
      .locator('[data-testid^="verdict-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')));
    expect(rules).toEqual(expect.arrayContaining(['J1', 'J7', 'J8', 'J9', 'J10', 'J11']));
    const j1 = inspector.locator(tid('verdict-row-J1'));
    expect(await j1.locator('td').nth(2).textContent()).toBe('passed');
    expect((await j1.locator('td').nth(1).textContent())?.length).toBeGreaterThan(3);
    expect((await j1.locator('td').nth(3).textContent())?.length).toBeGreaterThan(3);
    expect(await inspector.locator(tid('inspector-explain')).textContent()).toMatch(/connector/);
    await page.screenshot({ path: join(SHOTS, '03-hop-inspector.png'), fullPage: true });
  });

  it('renders a hostile artefact as text: no markup, no script', async () => {
    const hostileTrace = 'dead'.repeat(8);
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    // Injected by the operator (the admin token): the hub takes trace events from registered components only.
    const res = await fetch(`${f.urls.hub}/traces/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer kakehashi-admin-test-only' },
      body: JSON.stringify({
        events: [
          {
            traceId: hostileTrace,
            spanId: 'beef'.repeat(4),
            time: new Date().toISOString(),
            component: `<b>evil</b>`,
            operation: `GET /x${payload}`,
            direction: 'internal',
            artefact: { type: payload, header: { alg: payload }, claims: { sub: payload }, [payload]: payload },
            verdict: { valid: false, checks: [{ rule: payload, name: payload, outcome: 'failed', reason: payload }] },
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
    await page.fill(tid('trace-id-input'), hostileTrace);
    await page.click(tid('trace-open'));
    await page.waitForSelector(`${tid('trace-head')}[data-trace="${hostileTrace}"]`);
    await page.click(tid('hop-1'));
    const inspector = page.locator(tid('inspector'));
    await inspector.locator(tid('verdict-table')).waitFor();
    expect(
      await inspector
        .locator(`${tid('claim-sub')} td`)
        .nth(1)
        .textContent(),
    ).toBe(payload);
    expect(await inspector.locator(tid('artefact-json')).textContent()).toContain(JSON.stringify(payload));
    expect(await page.locator('img, script:not([src]), b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('[data-testid="lifeline-<b>evil</b>"]').count()).toBe(1);
  });

  it('browses the personas of a node and shows the citizen portal when Japan serves it', async () => {
    await page.click(tid('tab-personas'));
    await page.click(tid('personas-country-EE'));
    await page.locator(tid('persona-ee-001')).waitFor();
    expect(await page.locator(tid('persona-ee-001')).textContent()).toContain('ee-001');
    await page.locator(tid('persona-ee-001')).click();
    expect(await page.locator(tid('persona-detail')).textContent()).toContain('"id": "ee-001"');
    await page.screenshot({ path: join(SHOTS, '04-personas.png'), fullPage: true });

    const portal = (await (await fetch(`${f.urls.hub}/console/api/portal`)).json()) as {
      available: boolean;
      url?: string;
    };
    await page.click(tid('tab-portal'));
    const status = page.locator(tid('portal-status'));
    await status.waitFor();
    expect(await status.getAttribute('data-available')).toBe(String(portal.available));
    if (portal.available) {
      expect(portal.url).toBe(`${f.urls.nodes.JP}/jp/portal`);
      expect(await page.locator(tid('portal-link')).getAttribute('href')).toBe(portal.url);
      expect(await page.locator(tid('portal-frame')).getAttribute('src')).toBe(portal.url);
      // the portal lets the console frame it (its frame-ancestors name the hub's origin) and works inside it
      const frame = page.frameLocator(tid('portal-frame'));
      await frame.locator(tid('portal-title')).waitFor();
      await frame.locator(tid('insert-card')).click();
      await frame.locator(`${tid('login-status')}:text("Logged in with the card")`).waitFor();
    } else expect(await status.textContent()).toContain('Not available');
    await page.screenshot({ path: join(SHOTS, '05-citizen-portal.png'), fullPage: true });
    await page.click(tid('tab-diagram'));
  });

  it('controls the virtual clock: freeze, +1 d, +30 d, reset — the displayed time follows', async () => {
    const iso = async () => Date.parse((await page.locator(tid('clock-time')).getAttribute('data-iso')) ?? '');
    expect(await page.locator(tid('clock-token')).inputValue()).toBe('kakehashi-admin-test-only');
    await page.click(tid('clock-freeze'));
    await page.waitForSelector(`${tid('clock-mode')}:text("frozen")`);
    const t0 = await iso();
    expect(Number.isFinite(t0)).toBe(true);
    await page.click(tid('clock-advance-1d'));
    await page.waitForFunction(
      ([sel, before]) => Date.parse(document.querySelector(sel as string)?.getAttribute('data-iso') ?? '') !== before,
      [tid('clock-time'), t0] as const,
    );
    expect((await iso()) - t0).toBe(86_400_000);
    await page.click(tid('clock-advance-30d'));
    await page.waitForFunction(
      ([sel, before]) =>
        Date.parse(document.querySelector(sel as string)?.getAttribute('data-iso') ?? '') ===
        (before as number) + 31 * 86_400_000,
      [tid('clock-time'), t0] as const,
    );
    // the hub's clock is the federation's: a node shows the same time
    const node = (await (await fetch(`${f.urls.nodes.DE}/health`)).json()) as { time: string };
    expect(Date.parse(node.time)).toBe(t0 + 31 * 86_400_000);
    expect(await page.locator(tid('clock-status')).textContent()).toContain('31 days');
    await page.screenshot({ path: join(SHOTS, '06-clock.png'), fullPage: true });

    await page.click(tid('clock-reset'));
    await page.waitForSelector(`${tid('clock-mode')}:text("running")`);
    expect(Math.abs((await iso()) - Date.now())).toBeLessThan(60_000);

    // a wrong token is refused, and the page says what to do
    await page.fill(tid('clock-token'), 'wrong-token-123');
    await page.click(tid('clock-advance-1h'));
    await page.waitForSelector(`${tid('clock-status')}.error`);
    expect(await page.locator(tid('clock-status')).textContent()).toContain('admin token');
  });

  it("renders the hub's API documentation (Swagger UI, served locally) under its content security policy", async () => {
    const res = await page.goto(`${f.urls.hub}/docs`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.swagger-ui .info .title');
    await page.waitForSelector('.swagger-ui .opblock');
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Kakehashi');
  });

  it('raised no script error and no content-security-policy violation', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });
});
