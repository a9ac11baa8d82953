import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import {
  createFederation,
  FEDERATION_OPTIONS,
  type Federation,
  runScenarioAgainst,
  SCENARIOS,
} from '@kakehashi/federation';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * The console as a classroom uses it, in Debian's Chromium: every scenario told in story mode step by step (each
 * step highlights its own hops and shows its artefact and the faults and attacks that target it), Japan's
 * exchange with its setup folded and its lifelines named by role, traces titled by what they are, and the
 * language switch (remembered) in the console, the persona picker and the citizen portal. The screenshots the
 * README shows are written here, to docs/screenshots/.
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(
    `\n[kakehashi/console] Chromium is NOT INSTALLED at ${CHROMIUM}: the story-mode browser tests are SKIPPED (apt-get install chromium).\n`,
  );

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const tid = (id: string) => `[data-testid="${id}"]`;
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' };

interface Report {
  name: string;
  passed: boolean;
  steps: { title: string; ok: boolean; spans?: string[] }[];
  traceIds: string[];
}

describe.skipIf(!present && !REQUIRED)('the console in story mode, in Chromium', () => {
  let f: Federation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!present) throw new Error(`[kakehashi/console] Chromium is required but ${CHROMIUM} is missing`);
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-story-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0', KAKEHASHI_COUNTRIES: 'AT,DE,EE,JP' },
      cli: { dataDir, seed: 'kakehashi-test', port: 0, trustCacheDir: TRUST_CACHE },
    });
    f = await createFederation({ config, mode: 'listen', logger: createMemoryLogger('warn'), scenarios: SCENARIOS });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    if (f) {
      await fetch(`${f.urls.hub}/admin/clock`, {
        method: 'POST',
        headers: ADMIN,
        body: JSON.stringify({ action: 'reset' }),
      }).catch(() => undefined);
      await f.close();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The first run of each scenario from the console (Japan's first run is the one that issues the codes). */
  const firstRuns = new Map<string, Report>();

  /** Runs a scenario from its button and waits for its story to stand at step 1. */
  async function runFromConsole(name: string): Promise<Report> {
    await page.click(tid(`scenario-run-${name}`));
    await page.waitForSelector(`${tid('scenario-result')}:text("${name}:")`);
    await page.waitForSelector(`${tid('story-card')}[data-step="1"]`);
    const { runs } = (await (await fetch(`${f.urls.hub}/console/api/runs`, { headers: ADMIN })).json()) as {
      runs: Report[];
    };
    const report = runs.find((r) => r.name === name);
    if (!report) throw new Error(`no report of ${name} at /console/api/runs`);
    if (!firstRuns.has(name)) firstRuns.set(name, report);
    return report;
  }

  /**
   * Opens a run's trace by its id (as a teacher goes back to an earlier run, no longer among the latest traces
   * listed): its story at step 1.
   */
  async function openRun(report: Report): Promise<void> {
    const id = report.traceIds[0] ?? '';
    await page.fill(tid('trace-id-input'), id);
    await page.click(tid('trace-open'));
    await page.waitForSelector(`${tid('trace-head')}[data-trace="${id}"]`);
    await page.waitForSelector(`${tid('story-card')}[data-step="1"]`);
  }

  it('shows every scenario button above the fold, the story panel beside the diagram', async () => {
    await page.goto(`${f.urls.hub}/console?lang=en`);
    await page.waitForSelector('body[data-ready="true"]');
    const names = Object.keys(SCENARIOS);
    for (const name of names) {
      const box = await page.locator(tid(`scenario-run-${name}`)).boundingBox();
      expect(box, name).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0), `${name} is above the fold`).toBeLessThan(900);
    }
    const diagram = await page.locator(tid('diagram-wrap')).boundingBox();
    const story = await page.locator(tid('story')).boundingBox();
    // side by side: the story starts right of the diagram, level with it
    expect(story?.x ?? 0).toBeGreaterThan((diagram?.x ?? 0) + (diagram?.width ?? 0) - 1);
    expect(Math.abs((story?.y ?? 0) - (diagram?.y ?? 0))).toBeLessThan(200);
  });

  it.each(Object.keys(SCENARIOS))('tells %s step by step, each step highlighting its own hops', async (name) => {
    const report = await runFromConsole(name);
    const steps = report.steps.length;
    expect(await page.locator('[data-testid^="scenario-step-"]').count()).toBe(steps);
    let withHops = 0;
    let withArtefact = 0;
    const seen = new Set<string>();
    for (let i = 1; i <= steps; i++) {
      await page.waitForSelector(`${tid('story-card')}[data-step="${i}"]`);
      expect(await page.locator(tid('story-position')).textContent()).toBe(`Step ${i} of ${steps}`);
      expect(await page.locator(tid('story-title')).textContent()).toContain(report.steps[i - 1]?.title);
      expect(await page.locator(tid(`scenario-step-${i}`)).getAttribute('aria-current')).toBe('step');
      const hops = ((await page.locator(tid('story-hops')).getAttribute('data-hops')) ?? '').split(' ').filter(Boolean);
      // the diagram marks exactly this step's hops
      const marked = await page
        .locator('svg.diagram .hop.in-step')
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-testid')?.slice(4)));
      expect(marked.sort()).toEqual([...hops].sort());
      for (const n of hops) {
        expect(seen.has(n), `hop ${n} belongs to one step only`).toBe(false);
        seen.add(n);
      }
      if (hops.length > 0) withHops++;
      if (await page.locator(`${tid('story-artefact')}[data-hop]`).count()) withArtefact++;
      // the links to the faults and attacks that target this step are drawn (or say there are none)
      await page.waitForSelector(`${tid('story-links')} h4`);
      if (i < steps) await page.click(tid('story-next'));
    }
    expect(await page.locator(tid('story-next')).isDisabled()).toBe(true);
    expect(withHops, 'steps that caused hops').toBeGreaterThan(0);
    // every trace that recorded an artefact shows one beside a step; the federation scenario's requests are all
    // lookups (trusted lists, registry, discovery, audit) that record none, and its steps say so
    const { events } = (await (await fetch(`${f.urls.hub}/traces/${report.traceIds[0]}`)).json()) as {
      events: { artefact?: unknown; verdict?: unknown }[];
    };
    if (events.some((e) => e.artefact !== undefined || e.verdict))
      expect(withArtefact, 'steps with a decoded artefact beside them').toBeGreaterThan(0);
    else {
      expect(name).toBe('federation');
      expect(await page.locator(tid('story-artefact')).textContent()).toBe('No artefact recorded in this step.');
    }
    // the trace is titled by the scenario, in the list and above the diagram
    expect(await page.locator(tid('trace-title')).textContent()).toBe(name);
    await page.click(tid('traces-refresh'));
    await page.waitForSelector(`${tid(`trace-item-${report.traceIds[0]}`)} .op:text-is("▶ ${name}")`);
    if (name === 'eid-cross-border') {
      // step 6 (the trace) and step 4 (the connector validates the ID token): the ID token and its J-rules
      await page.click(tid('scenario-step-4'));
      await page.waitForSelector(`${tid('story-card')}[data-step="4"]`);
      await page.locator(`${tid('story-artefact')} ${tid('verdict-summary')}`).waitFor();
      await page.locator(`${tid('story-attacks')} ${tid('story-attack-id-token.alg-none')}`).waitFor();
      expect(await page.locator(tid('story-attack-command')).textContent()).toMatch(
        /^kakehashi attack run --target self http:\/\/127\.0\.0\.1:\d+ --only /,
      );
      // (clicking step 4 in the list below the card scrolled the window: the README's picture starts at the top)
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, 'story-eid-cross-border.png'), type: 'png' });
      // a fault link opens the Faults tab at that fault
      const fault = page.locator(`${tid('story-faults')} button`).first();
      const faultName = (await fault.textContent()) ?? '';
      await fault.click();
      await page.waitForSelector(`${tid('panel-faults')}:not([hidden]) tr.flash`);
      expect(await page.locator('tr.flash td.name').textContent()).toBe(faultName);
      await page.click(tid('tab-diagram'));
    }
  });

  it("folds Japan's setup and names its lifelines by role (English)", async () => {
    // the first run issues every agency's codes (the setup); later runs reuse them
    await openRun(firstRuns.get('jp-child-allowance') ?? (await runFromConsole('jp-child-allowance')));
    const folds = page.locator('svg.diagram .fold');
    const counts = await folds.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    const total = await page.locator('svg.diagram .hop').count();
    const visible = await page.locator('svg.diagram .hop:not([data-folded])').count();
    expect(Math.max(...counts)).toBeGreaterThan(100);
    expect(visible).toBeLessThan(total / 4);
    expect(await folds.first().textContent()).toMatch(/setup hops folded/);
    const role = (key: string) => page.locator(`${tid(`lifeline-${key}`)} .lifeline-head`).getAttribute('data-role');
    expect(await role('jp:network')).toBe('information provision network system');
    expect(await role('jp:setagaya-city')).toBe("Setagaya City's intermediary server");
    expect(await role('jp:national-tax-agency')).toBe("National Tax Agency's intermediary server");
    expect(await role('jp:j-lis')).toContain('J-LIS');
    expect(await role('clerk:setagaya-city')).toBe('Setagaya City clerk');
    const keys = await page
      .locator('svg.diagram .lifeline')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-key')));
    expect(keys).not.toContain('external');
    expect(keys.filter((k) => k?.startsWith('ext:'))).toEqual([]);
    // a fold opens on a click, and closes again
    const big = page.locator('svg.diagram .fold[data-count]').nth(counts.indexOf(Math.max(...counts)));
    const first = Number(await big.getAttribute('data-hops').then((h) => h?.split(' ')[0]));
    await big.click();
    await page.waitForSelector(`${tid(`hop-${first}`)}:not([data-folded])`);
    expect(await page.locator('svg.diagram .hop:not([data-folded])').count()).toBeGreaterThan(visible + 100);
    await page.click(`${tid(`fold-${first}`)}`);
    // (a folded hop stays in the drawing, not displayed)
    await page.waitForSelector(`${tid(`hop-${first}`)}[data-folded="true"]`, { state: 'attached' });
    expect(await page.locator('svg.diagram .hop:not([data-folded])').count()).toBe(visible);
  });

  it("tells wallet-cross-border with each step's decoded artefact — offer, SD-JWT and its disclosures, request object, presentation, verdict — in English and Japanese", async () => {
    const artefact = (id: string) => page.locator(`${tid('story-artefact')} ${tid(id)}`);
    const at = async (step: number) => {
      await page.click(tid(`scenario-step-${step}`));
      await page.waitForSelector(`${tid('story-card')}[data-step="${step}"]`);
      await page.waitForSelector(`${tid('story-artefact')}[data-hop]`);
    };
    const check = async () => {
      // 2: the credential offer (its grant, the configurations offered)
      await at(2);
      expect(await artefact('artefact-json').textContent()).toMatch(
        /"type": "credential_offer"[\s\S]*pre-authorized_code/,
      );
      // 3: the PID as issued: the SD-JWT's header, payload (digests) and every disclosure decoded
      await at(3);
      expect(await artefact('header-typ').textContent()).toContain('dc+sd-jwt');
      expect(await artefact('claim-vct').textContent()).toContain('urn:eudi:pid:1');
      for (const name of ['family_name', 'given_name', 'birthdate', 'DE'])
        await artefact(`disclosures-${name}`).waitFor();
      // 4: the signed request object: its typ and the DCQL query it carries
      await at(4);
      expect(await artefact('header-typ').textContent()).toContain('oauth-authz-req+jwt');
      expect(await artefact('claim-dcql_query').textContent()).toContain('eidas_person_identifiers');
      expect(await artefact('claim-response_mode').textContent()).toContain('direct_post.jwt');
      // 5: the presentation (only the asked disclosures, the key binding) and the verdict, valid
      await at(5);
      // only what was asked: the three claims, and the eIDAS identifiers' object with its DE member alone
      expect(
        await page
          .locator(`${tid('story-artefact')} [data-testid^="disclosures-"]`)
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')).sort()),
      ).toEqual(
        ['birthdate', 'DE', 'eidas_person_identifiers', 'family_name', 'given_name']
          .map((n) => `disclosures-${n}`)
          .sort(),
      );
      await artefact('keyBinding-nonce').waitFor();
      expect(await artefact('verdict-summary').getAttribute('class')).toContain('ok');
      // 6: the replay refused by W10
      await at(6);
      expect(await artefact('verdict-row-W10').locator('.outcome').getAttribute('data-outcome')).toBe('failed');
    };
    await page.goto(`${f.urls.hub}/console?lang=en`);
    await page.waitForSelector('body[data-ready="true"]');
    const report = firstRuns.get('wallet-cross-border') ?? (await runFromConsole('wallet-cross-border'));
    await openRun(report);
    await check();
    await page.goto(`${f.urls.hub}/console?lang=ja`);
    await page.waitForSelector('body[data-ready="true"]');
    await openRun(report);
    await check();
    expect(await page.locator(tid('story-title')).textContent()).toContain(
      '同じ提示を新しい要求に再送すると拒否される',
    );
    await page.click(tid('scenario-step-3'));
    expect(await page.locator(tid('story-title')).textContent()).toContain('PID を受け取る');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'story-wallet-cross-border-ja.png'), type: 'png' });
    await page.goto(`${f.urls.hub}/console?lang=en`);
    await page.waitForSelector('body[data-ready="true"]');
  });

  it('tells wallet-mdoc with the mdoc decoded — the IssuerSigned as issued, the DeviceResponse with only the asked elements, its MSO, issuer and device signatures — in English and Japanese', async () => {
    const NS = 'eu.europa.ec.eudi.pid.1';
    const artefact = (id: string) => page.locator(`${tid('story-artefact')} ${tid(id)}`);
    const at = async (step: number) => {
      await page.click(tid(`scenario-step-${step}`));
      await page.waitForSelector(`${tid('story-card')}[data-step="${step}"]`);
      await page.waitForSelector(`${tid('story-artefact')}[data-hop]`);
    };
    const check = async (lang: 'en' | 'ja') => {
      // 1: the PID as issued (IssuerSigned): every element, its MSO and the provider's chain — its hop opened in the
      // inspector (the step's focus may be another of its hops)
      await at(1);
      const issued = page.locator('[data-testid^="hop-"][aria-label*="PID issued (mso_mdoc)"]');
      expect(await issued.count()).toBe(1);
      await issued.dispatchEvent('click');
      const inspector = (id: string) => page.locator(`${tid('inspector')} ${tid(id)}`);
      expect(await inspector('document-kind').textContent()).toContain('IssuerSigned');
      await inspector(`issuerSigned-${NS}/resident_address`).waitFor();
      expect(await inspector(`issuerSigned-${NS}/age_over_18`).textContent()).toContain('true');
      expect(await inspector('mso-digestAlgorithm').textContent()).toContain('SHA-256');
      expect(await inspector('issuerAuth-leaf').textContent()).toMatch(/C=EE/);
      // 3: the DeviceResponse: only the three elements asked, the MSO's validity and device key, the device signature
      await at(3);
      expect(await artefact('document-kind').textContent()).toContain('DeviceResponse');
      expect(
        await page
          .locator(`${tid('story-artefact')} [data-testid^="issuerSigned-"]`)
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')).sort()),
      ).toEqual(['birth_date', 'family_name', 'given_name'].map((e) => `issuerSigned-${NS}/${e}`));
      expect(await artefact('mso-validUntil').textContent()).toMatch(/\d{4}-\d\d-\d\dT/);
      expect(await artefact('mso-deviceKey').textContent()).toContain('P-256');
      expect(await artefact('deviceSigned-deviceAuth').textContent()).toContain('deviceSignature');
      expect(await artefact('deviceSigned-alg').textContent()).toContain('ES256');
      expect(await artefact('verdict-summary').getAttribute('class')).toContain('ok');
      expect(await artefact('section-mso').textContent()).toContain(
        lang === 'en' ? 'Mobile security object (MSO)' : 'モバイルセキュリティオブジェクト（MSO）',
      );
      expect(await artefact('section-deviceSigned').textContent()).toContain(
        lang === 'en' ? 'Device-signed part' : 'デバイス署名部',
      );
    };
    await page.goto(`${f.urls.hub}/console?lang=en`);
    await page.waitForSelector('body[data-ready="true"]');
    const report = firstRuns.get('wallet-mdoc') ?? (await runFromConsole('wallet-mdoc'));
    await openRun(report);
    await check('en');
    await page.goto(`${f.urls.hub}/console?lang=ja`);
    await page.waitForSelector('body[data-ready="true"]');
    await openRun(report);
    await check('ja');
    await page.goto(`${f.urls.hub}/console?lang=en`);
    await page.waitForSelector('body[data-ready="true"]');
  });

  it("speaks Japanese with ?lang=ja, remembers it, and names Japan's parts with their own terms", async () => {
    await page.goto(`${f.urls.hub}/console?lang=ja`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
    expect(await page.locator(tid('tab-diagram')).textContent()).toBe('シーケンス図');
    // remembered: the next visit without ?lang is still Japanese
    await page.goto(`${f.urls.hub}/console`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator(tid('tab-portal')).textContent()).toBe('マイナポータル');
    // the CJK fonts are declared, and this system has one (fonts-noto-cjk): Japanese is not drawn as boxes
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('Noto Sans CJK JP');
    expect(await page.evaluate(() => document.fonts.check('16px "Noto Sans CJK JP"', '情報提供'))).toBe(true);

    await openRun(firstRuns.get('jp-child-allowance') ?? (await runFromConsole('jp-child-allowance')));
    const role = (key: string) => page.locator(`${tid(`lifeline-${key}`)} .lifeline-head`).getAttribute('data-role');
    expect(await role('jp:network')).toBe('情報提供ネットワークシステム');
    expect(await role('jp:setagaya-city')).toBe('世田谷区の中間サーバー');
    expect(await role('jp:j-lis')).toBe('地方公共団体情報システム機構（J-LIS）');
    // each head's text fits its box: no two neighbouring heads' names overlap, however wide the script
    const overflow = await page.evaluate(() =>
      [...document.querySelectorAll('svg.diagram .lifeline-head')].flatMap((head) => {
        const box = (head.querySelector('rect') as SVGRectElement).getBBox();
        return [...head.querySelectorAll('text')]
          .map((t) => (t as SVGTextElement).getBBox())
          .filter((b) => b.x < box.x || b.x + b.width > box.x + box.width)
          .map(() => head.getAttribute('data-role'));
      }),
    );
    expect(overflow).toEqual([]);
    // the setup fold of the code issuance names it with its own term
    const codes = page.locator('svg.diagram .fold').filter({ hasText: '機関別符号' });
    expect(Number(await codes.first().getAttribute('data-count'))).toBeGreaterThan(100);
    expect(await page.locator(tid('story-position')).textContent()).toBe(`手順 1 / ${6}`);
    await page.click(tid('story-next'));
    await page.waitForSelector(`${tid('story-card')}[data-step="2"]`);
    // the step is titled in Japanese (the scenario's titleJa)
    expect(await page.locator(tid('story-card')).textContent()).toContain('市の職員が所得を照会する');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'story-jp-child-allowance-ja.png'), type: 'png' });

    // the citizen portal and the persona picker follow ?lang= and remember it too
    const portal = await context.newPage();
    await portal.goto(`${f.urls.nodes.JP}/jp/portal?lang=ja`);
    expect(await portal.locator(tid('portal-title')).textContent()).toBe('マイナポータル（模擬）');
    expect(await portal.locator(tid('portal-intro')).textContent()).toContain('利用者証明用電子証明書');
    await portal.goto(`${f.urls.nodes.JP}/jp/portal`);
    expect(await portal.evaluate(() => document.documentElement.lang)).toBe('ja');
    await portal.locator(tid('insert-card')).click();
    await portal.waitForSelector(`${tid('login-status')}:text("カードでログインしました")`);
    // the records speak Japanese too: Japan's agencies, the procedure and the items by their Japanese names
    await portal.waitForSelector(tid('record-row'));
    const rows = await portal.locator(tid('record-row')).allTextContents();
    expect(rows.join('\n')).toContain('世田谷区');
    expect(rows.join('\n')).toContain('国税庁');
    expect(rows.join('\n')).toMatch(/提供/);
    expect(rows.join('\n')).not.toContain('National Tax Agency');
    await portal.screenshot({ path: join(SHOTS, 'portal-ja.png'), type: 'png' });
    await portal.goto(`${f.urls.nodes.JP}/jp/portal?lang=en`);
    expect(await portal.locator(tid('portal-title')).textContent()).toBe('Mynaportal (mock) — マイナポータル');

    const authorize = new URL(`${f.urls.nodes.JP}/oidc/authorize`);
    for (const [k, v] of Object.entries({
      client_id: 'kakehashi-demo-rp',
      redirect_uri: 'http://127.0.0.1:9/callback',
      response_type: 'code',
      scope: 'openid',
      state: 'state-1234567890',
      nonce: 'nonce-1234567890',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      lang: 'ja',
    }))
      authorize.searchParams.set(k, v);
    await portal.goto(authorize.href);
    expect(await portal.locator(tid('picker-title')).textContent()).toBe('ノード JP での eID ログイン');
    expect(await portal.locator(tid('card-login')).textContent()).toContain('個人番号カード');
    await portal.screenshot({ path: join(SHOTS, 'picker-ja.png'), type: 'png' });
    await portal.click(tid('lang-en'));
    expect(await portal.locator(tid('picker-title')).textContent()).toBe('eID login at node JP');
    await portal.close();

    // back to English from the switch, remembered as well
    await page.click(tid('lang-en'));
    await page.waitForSelector('body[data-ready="true"]');
    await page.goto(`${f.urls.hub}/console`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator(tid('tab-diagram')).textContent()).toBe('Sequence diagram');
  });

  it('titles a trace not started from the console by its first request, not by a lookup inside it', async () => {
    const report = await runScenarioAgainst(f, 'eid-cross-border');
    const id = report.traceIds[0] ?? '';
    const { traces } = (await (await fetch(`${f.urls.hub}/traces?limit=50`)).json()) as {
      traces: { traceId: string; firstOperation: string; firstRequest: string }[];
    };
    const t = traces.find((x) => x.traceId === id);
    expect(t?.firstOperation).toBe('GET /registry/nodes/EE');
    expect(t?.firstRequest).toBe('GET /oidc/authorize');
    await page.click(tid('traces-refresh'));
    await page.waitForSelector(`${tid(`trace-item-${id}`)} .op:text-is("GET /oidc/authorize")`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'console-overview.png'), type: 'png' });
  });

  it('raised no script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
