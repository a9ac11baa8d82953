import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AttackReport, type CaseResult, writeReports } from '@kakehashi/federation';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attack runner's report.html opened as a reader opens it (a file, in Chromium): it renders every case under
 * its own content security policy with no violation, and a hostile value from a target shows as text, never as
 * markup or script.
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/browser] Chromium is NOT INSTALLED at ${CHROMIUM}: the attack report's browser test is SKIPPED.\nInstall it (apt-get install chromium) or set KAKEHASHI_CHROMIUM — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );

const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const result = (id: string, status: CaseResult['status']): CaseResult => ({
  id,
  rule: 'J1 jwt-alg-none',
  fault: id.startsWith('baseline.') ? null : id,
  description: `case ${id}`,
  status,
  sent: { summary: `sent ${HOSTILE}`, artefact: { header: { alg: HOSTILE } } },
  target: { outcome: status === 'passed' ? 'refused' : 'accepted', status: 200, excerpt: HOSTILE },
  detail: `why ${HOSTILE}`,
  durationMs: 5,
});

describe.skipIf(!present && !REQUIRED)('attack report.html in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    if (!present) throw new Error(`[kakehashi/browser] Chromium is required but ${CHROMIUM} is missing`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    dir = mkdtempSync(join(tmpdir(), 'kk-attack-html-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every case under its own policy; hostile values stay text', async () => {
    const cases = [result('id-token.alg-none', 'passed'), result('id-token.expired', 'failed')];
    const report: AttackReport = {
      tool: 'kakehashi attack',
      reportVersion: 1,
      target: { kind: 'oidc-rp', url: `http://127.0.0.1:3000/login?${HOSTILE}` },
      node: 'http://127.0.0.1:7001',
      startedAt: '2026-12-02T10:00:00.000Z',
      finishedAt: '2026-12-02T10:00:01.000Z',
      baselines: [result('baseline.id-token', 'passed')],
      cases,
      summary: { total: 2, passed: 1, failed: 1, unavailable: 0, error: 0, skipped: 0 },
      verdict: 'failed',
    };
    writeReports(report, dir);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).not.toContain('<script>');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`Uncaught ${e.message}`));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    expect(await page.locator('[data-verdict]').textContent()).toBe('FAILED');
    expect(await page.locator('tr[data-case]').count()).toBe(3);
    expect(await page.locator('tr[data-case="id-token.expired"] .st').textContent()).toBe('FAILED — accepted');
    expect(await page.locator('tr[data-case="baseline.id-token"] .st').textContent()).toBe('PASSED — accepted');
    expect(await page.locator('tr[data-case="id-token.alg-none"] q').textContent()).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The inline style applies (the policy allows it), nothing else is loaded.
    const background = await page
      .locator('tr[data-case="id-token.expired"] .st')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(251, 211, 211)');
    expect(problems).toEqual([]);
    await page.close();
  });
});
