import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import { createFederation, FEDERATION_OPTIONS, type Federation, SCENARIOS } from '@kakehashi/federation';
import jsQRImport from 'jsqr';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * The EUDI wallet as a person uses it, in Debian's Chromium driven by playwright-core: a German relying party's page
 * shows a QR code of its OpenID4VP request (decoded here with jsQR: the same URI as the text beside it), Estonia's
 * wallet page receives ee-001's PID, opens the request, and its consent page lists exactly the claims asked; Share →
 * the relying party's page shows the verdict valid; the same-device flow in Japanese, Decline → the page shows
 * refused. A refusal of the browser (a CSP violation, a script error) fails the test. Screenshots go to
 * docs/screenshots/ (the README shows them).
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(
    `\n[kakehashi/browser] Chromium is NOT INSTALLED at ${CHROMIUM}: the wallet browser tests are SKIPPED.\n`,
  );

// jsqr is CommonJS with a default export: callable itself under vitest's interop, `.default` under plain Node.
type Decode = typeof jsQRImport.default;
const jsQR: Decode = typeof jsQRImport === 'function' ? (jsQRImport as unknown as Decode) : jsQRImport.default;

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const tid = (id: string) => `[data-testid="${id}"]`;

describe.skipIf(!present && !REQUIRED)('the EUDI wallet pages in Chromium (EE wallet, DE relying party)', () => {
  let f: Federation;
  let browser: Browser;
  let dataDir: string;
  const closers: (() => Promise<void>)[] = [];
  const refusals: string[] = [];
  const node = (cc: string) => f.urls.nodes[cc] as string;

  beforeAll(async () => {
    if (!present) throw new Error(`[kakehashi/browser] Chromium is required but ${CHROMIUM} is missing`);
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-web-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0', KAKEHASHI_COUNTRIES: 'DE,EE' },
      cli: { dataDir, seed: 'kakehashi-test', port: 0, trustCacheDir: TRUST_CACHE },
    });
    f = await createFederation({ config, mode: 'listen', logger: createMemoryLogger('warn'), scenarios: SCENARIOS });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await browser?.close();
    await f?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh browser context: each device (the relying party's screen, the wallet) its own. */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    closers.push(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(100_000);
    page.on('console', (m) => {
      if (m.type() === 'error') refusals.push(m.text());
    });
    page.on('pageerror', (e) => refusals.push(`Uncaught ${e.message}`));
    return page;
  }

  /** The QR code's SVG rasterised by Chromium (on a blank page) and decoded with jsQR. */
  async function decodeQr(svg: string): Promise<string | undefined> {
    const page = await newPage();
    const size = 400;
    const pixels = await page.evaluate(
      async ({ svg, size }) => {
        const img = new Image();
        img.src = `data:image/svg+xml;base64,${btoa(svg)}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = size;
        canvas.height = size;
        const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, size, size);
        ctx.drawImage(img, 0, 0, size, size);
        return Array.from(ctx.getImageData(0, 0, size, size).data);
      },
      { svg, size },
    );
    return jsQR(Uint8ClampedArray.from(pixels), size, size)?.data;
  }

  it('cross-device: the QR code decodes to the request URI; the consent page lists exactly the claims asked; Share → valid', async () => {
    const rp = await newPage();
    await rp.goto(`${node('DE')}/wallet/verifier/rp?lang=en`);
    await rp.click(tid('rp-cross-device'));
    const svg = await rp.locator(`${tid('rp-qr')} svg`).evaluate((e) => e.outerHTML);
    const uri = await rp.locator(tid('request-uri')).inputValue();
    expect(uri).toMatch(/^openid4vp:\/\/\?client_id=x509_hash%3A[^&]+&request_uri=http/);
    expect(await decodeQr(svg)).toBe(uri);
    await rp.screenshot({ path: join(SHOTS, 'wallet-rp-qr.png'), fullPage: true });

    const wallet = await newPage();
    await wallet.goto(`${node('EE')}/wallet/holder/ee-001?lang=en`);
    await wallet.locator(tid('wallet-credentials-empty')).waitFor();
    await wallet.click(tid('wallet-receive'));
    await expect(wallet.locator(tid('wallet-credential-0')).textContent()).resolves.toContain('urn:eudi:pid:1');
    await wallet.fill(tid('wallet-request'), uri);
    await wallet.click(tid('wallet-open'));
    const claims = await wallet.locator(tid('consent-claim')).allTextContents();
    expect(claims).toEqual(['Family name', 'Given name', 'Date of birth', 'eIDAS person identifier (DE)']);
    expect(
      await wallet.locator(tid('consent-claim')).evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))),
    ).toEqual(['["family_name"]', '["given_name"]', '["birthdate"]', '["eidas_person_identifiers","DE"]']);
    expect(await wallet.locator(tid('consent-country')).textContent()).toBe('DE');
    expect(await wallet.locator(tid('consent-subject')).textContent()).toMatch(/C=DE/);
    await wallet.click(tid('consent-share'));
    await wallet.locator(`${tid('wallet-outcome')}[data-decision="share"]`).waitFor();

    // the relying party's page polls (reloads itself) until the verdict
    await rp.locator(`${tid('rp-verdict')}[data-status="valid"]`).waitFor();
    expect(await rp.locator(tid('rp-claims')).textContent()).toMatch(/EE\/DE\//);
    expect(refusals).toEqual([]);
  });

  it('same-device in Japanese: the link opens the consent page, Decline → the wallet goes back to the relying party, which shows refused', async () => {
    const page = await newPage();
    await page.goto(`${node('EE')}/wallet/holder/ee-002?lang=ja`);
    await page.click(tid('wallet-receive'));
    await page.locator(tid('wallet-credential-0')).waitFor();
    await page.goto(`${node('DE')}/wallet/verifier/rp?lang=ja`);
    await page.click(tid('rp-same-device'));
    const link = (await page.locator(tid('same-device-link')).getAttribute('href')) as string;
    expect(link).toMatch(/^openid4vp:\/\/\?client_id=/);
    // the OS hands the openid4vp: link to the wallet: here its page at Estonia's node, with the link's parameters
    await page.goto(`${node('EE')}/wallet/holder/ee-002/authorize?lang=ja&${new URL(link).search.slice(1)}`);
    expect(await page.locator(tid('consent-claim')).allTextContents()).toEqual([
      '姓',
      '名',
      '生年月日',
      'eIDAS 個人識別子 (DE)',
    ]);
    expect(await page.locator('h1').textContent()).toBe('利用者サービスがあなたのデータを求めています');
    await page.screenshot({ path: join(SHOTS, 'wallet-consent-ja.png'), fullPage: true });
    await page.click(tid('consent-decline'));
    const verdict = page.locator(`${tid('rp-verdict')}[data-status="refused"]`);
    await verdict.waitFor();
    expect(new URL(page.url()).searchParams.get('response_code')).toBeTruthy();
    expect(await verdict.textContent()).toContain('拒否');
    expect(refusals).toEqual([]);
  });

  it('same-device, Share → the relying party page shows the verdict valid', async () => {
    const page = await newPage();
    await page.goto(`${node('EE')}/wallet/holder/ee-003?lang=en`);
    await page.click(tid('wallet-receive'));
    await page.locator(tid('wallet-credential-0')).waitFor();
    await page.goto(`${node('DE')}/wallet/verifier/rp?lang=en`);
    await page.click(tid('rp-same-device'));
    const link = (await page.locator(tid('same-device-link')).getAttribute('href')) as string;
    await page.goto(`${node('EE')}/wallet/holder/ee-003/authorize?${new URL(link).search.slice(1)}`);
    await page.click(tid('consent-share'));
    await page.locator(`${tid('rp-verdict')}[data-status="valid"]`).waitFor();
    expect(refusals).toEqual([]);
  });

  it('the person chooses "18 or over only": the consent page asks for that alone, the verdict shows it alone', async () => {
    const page = await newPage();
    await page.goto(`${node('EE')}/wallet/holder/ee-004?lang=en`);
    await page.click(tid('wallet-receive'));
    await page.locator(tid('wallet-credential-0')).waitFor();
    await page.goto(`${node('DE')}/wallet/verifier/rp?lang=en`);
    expect(await page.locator(tid('rp-query-login')).isChecked()).toBe(true);
    await page.check(tid('rp-query-age'));
    await page.screenshot({ path: join(SHOTS, 'wallet-rp-choice.png'), fullPage: true });
    await page.click(tid('rp-same-device'));
    const link = (await page.locator(tid('same-device-link')).getAttribute('href')) as string;
    await page.goto(`${node('EE')}/wallet/holder/ee-004/authorize?${new URL(link).search.slice(1)}`);
    expect(await page.locator(tid('consent-claim')).allTextContents()).toEqual(['Age 18 or over']);
    await page.click(tid('consent-share'));
    await page.locator(`${tid('rp-verdict')}[data-status="valid"]`).waitFor();
    expect(await page.locator(tid('rp-asked')).getAttribute('data-query')).toBe('age');
    expect(
      await page.locator(tid('rp-claim')).evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))),
    ).toEqual(['["age_equal_or_over","18"]']);
    expect(await page.locator(`${tid('rp-claims')} dd`).allTextContents()).toEqual(['true']);
    expect(refusals).toEqual([]);
  });

  it('in Japanese, the PID as ISO mdoc: the wallet receives the mdoc, the QR request asks for mdoc elements, Share → valid', async () => {
    const wallet = await newPage();
    await wallet.goto(`${node('EE')}/wallet/holder/ee-005?lang=ja`);
    await wallet.selectOption(tid('wallet-receive-format'), 'mso_mdoc');
    await wallet.click(tid('wallet-receive'));
    await expect(wallet.locator(tid('wallet-credential-0')).textContent()).resolves.toContain('mso_mdoc');
    const rp = await newPage();
    await rp.goto(`${node('DE')}/wallet/verifier/rp?lang=ja`);
    await rp.check(tid('rp-query-pid-mdoc'));
    await rp.click(tid('rp-cross-device'));
    const uri = await rp.locator(tid('request-uri')).inputValue();
    await wallet.fill(tid('wallet-request'), uri);
    await wallet.click(tid('wallet-open'));
    expect(await wallet.locator(tid('consent-claim')).allTextContents()).toEqual([
      '姓',
      '名',
      '生年月日',
      '国籍',
      '18 歳以上',
    ]);
    await wallet.click(tid('consent-share'));
    await wallet.locator(`${tid('wallet-outcome')}[data-decision="share"]`).waitFor();
    await rp.locator(`${tid('rp-verdict')}[data-status="valid"]`).waitFor();
    expect(await rp.locator(tid('rp-credential')).textContent()).toBe('mso_mdoc eu.europa.ec.eudi.pid.1');
    expect(await rp.locator(tid('rp-asked')).textContent()).toContain('ISO mdoc');
    const labels = await rp.locator(tid('rp-claim')).allTextContents();
    expect([...labels].sort()).toEqual(['18 歳以上', '国籍', '名', '姓', '生年月日'].sort());
    await rp.screenshot({ path: join(SHOTS, 'wallet-rp-mdoc-verdict-ja.png'), fullPage: true });
    expect(refusals).toEqual([]);
  });
});
