import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, LayeredConfig } from '@kakehashi/core';
import { DEMO_SP_ENTITY_ID } from '@kakehashi/eid';
import { createFederation, FEDERATION_OPTIONS, type Federation, SCENARIOS } from '@kakehashi/federation';
import type { Persona } from '@kakehashi/personas';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OidcLogin, type RelyingParty, startOidcRp, startSamlSp } from '../support/relying-party.ts';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * Every login page a person uses, in Debian's Chromium driven by playwright-core, from the first click to a real
 * relying party's callback holding what it validated: an OIDC relying party on openid-client's default settings,
 * a SAML service provider on @node-saml/node-saml, both tiny servers in this process on OS-chosen ports. The
 * federation listens on loopback (ports from the OS). A refusal of the browser — a content security policy
 * violation, a script error — fails the step at once. Screenshots go to test-results/logins/.
 */
const CHROMIUM = process.env.KAKEHASHI_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAKEHASHI_REQUIRE_TOOLS === '1';
const present = existsSync(CHROMIUM);
if (!present && !REQUIRED)
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/browser] Chromium is NOT INSTALLED at ${CHROMIUM}: the browser tests of the login pages are SKIPPED.\nInstall it (apt-get install chromium) or set KAKEHASHI_CHROMIUM — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'logins');
const tid = (id: string) => `[data-testid="${id}"]`;
const DEMO = { clientId: 'kakehashi-demo-rp', clientSecret: 'kakehashi-demo-secret' };
const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only', 'content-type': 'application/json' };
const LOA = (name: string) => `http://eidas.europa.eu/LoA/${name}`;
const RANK: Record<string, number> = { [LOA('low')]: 1, [LOA('substantial')]: 2, [LOA('high')]: 3 };
/** The sources of a policy's form-action directive, sorted. */
const formAction = (csp: string | undefined) =>
  (/(?:^|;)\s*form-action ([^;]+)/.exec(csp ?? '')?.[1] ?? '').trim().split(/\s+/).sort();

describe.skipIf(!present && !REQUIRED)('login pages in Chromium, to a real relying party', () => {
  let f: Federation;
  let browser: Browser;
  let dataDir: string;
  const closers: (() => Promise<void>)[] = [];
  /** Every error the pages logged (CSP violations among them) and every uncaught script error. */
  const refusals: string[] = [];
  const node = (cc: string) => f.urls.nodes[cc] as string;
  const personasOf = async (cc: string) => (await (await fetch(`${node(cc)}/personas`)).json()) as Persona[];

  beforeAll(async () => {
    if (!present) throw new Error(`[kakehashi/browser] Chromium is required but ${CHROMIUM} is missing`);
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-logins-'));
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0', KAKEHASHI_COUNTRIES: 'DE,EE,JP' },
      // The certificates name the hub's URL, new with every OS port: issued at start with the shared cache's keys.
      cli: { dataDir, seed: 'kakehashi-test', port: 0, trustCacheDir: TRUST_CACHE },
    });
    f = await createFederation({ config, mode: 'listen', logger: createMemoryLogger('warn'), scenarios: SCENARIOS });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await browser?.close();
    await f?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh browser context (no state shared between flows). */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    closers.push(() => context.close());
    const page = await context.newPage();
    // Waits end as soon as the page shows the fact; the bound is generous for a loaded machine.
    page.setDefaultTimeout(100_000);
    page.on('console', (m) => {
      if (m.type() === 'error') refusals.push(m.text());
    });
    page.on('pageerror', (e) => refusals.push(`Uncaught ${e.message}`));
    return page;
  }

  /**
   * Waits until the page shows `selector` — or fails at once when the browser refuses something on the way (a
   * content security policy violation, a script error): the refusal is the failure, not a timeout later.
   */
  async function reach(page: Page, selector: string): Promise<void> {
    const before = refusals.length;
    let stop = () => {};
    const refused = new Promise<never>((_, reject) => {
      const timer = setInterval(() => {
        const fresh = refusals.slice(before).filter((v) => /Content Security Policy|Refused to|Uncaught/i.test(v));
        if (fresh.length) reject(new Error(`the browser refused: ${fresh.join(' | ')} (at ${page.url()})`));
      }, 50);
      stop = () => clearInterval(timer);
    });
    try {
      await Promise.race([page.waitForSelector(selector), refused]);
    } catch (e) {
      const text =
        (await page
          .locator('body')
          .textContent({ timeout: 5_000 })
          .catch(() => null)) ?? '';
      throw new Error(`${(e as Error).message}\n— waiting for ${selector} at ${page.url()}: ${text.slice(0, 600)}`);
    } finally {
      stop();
    }
  }

  async function oidcRp(cc: string): Promise<RelyingParty<OidcLogin>> {
    const rp = await startOidcRp({ issuer: node(cc), ...DEMO });
    closers.push(() => rp.close());
    return rp;
  }

  /** The one login the relying party completed: validated by openid-client, or the test fails with its reason. */
  function validated(rp: RelyingParty<OidcLogin>): OidcLogin {
    expect(rp.results).toHaveLength(1);
    const r = rp.results[0];
    if (r?.outcome !== 'valid') throw new Error(`the relying party refused the login: ${JSON.stringify(r)}`);
    return r.value;
  }

  it('OIDC picker: a persona clicked at DE reaches the relying party, which validates the ID token', async () => {
    const rp = await oidcRp('DE');
    const persona = (await personasOf('DE'))[0] as Persona;
    const page = await newPage();
    const picker = await page.goto(rp.loginUrl());
    await reach(page, tid(`persona-${persona.id}`));
    expect(await page.locator(tid('test-only-banner')).textContent()).toContain('TEST ONLY');
    // the strictest form-action that works: this page's origin, the relying party's, and for the country
    // selection the hub's relay and the peers it forwards to — nothing else
    const origin = (u: string) => new URL(u).origin;
    expect(formAction(picker?.headers()['content-security-policy'])).toEqual(
      ["'self'", origin(rp.url), origin(f.urls.hub), origin(node('EE')), origin(node('JP'))].sort(),
    );
    await page.screenshot({ path: join(SHOTS, '01-oidc-picker-DE.png'), fullPage: true });
    await page.click(tid(`persona-${persona.id}`));
    await reach(page, tid('rp-result'));
    await page.screenshot({ path: join(SHOTS, '02-oidc-relying-party.png'), fullPage: true });

    const { claims, tokens, callback } = validated(rp);
    expect(new URL(callback).origin).toBe(rp.url);
    expect(new URL(callback).searchParams.get('iss')).toBe(node('DE'));
    expect(claims.iss).toBe(node('DE'));
    expect(claims.aud).toBe(DEMO.clientId);
    expect(claims.family_name).toBe(persona.familyName);
    expect(claims.given_name).toBe(persona.givenName);
    expect(claims.birthdate).toBe(persona.dateOfBirth);
    expect(claims.eidas_person_identifier).toMatch(/^DE\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
  });

  it("the login session's cookie in a real browser: a second login answers at once, prompt=login asks again", async () => {
    const rp = await oidcRp('DE');
    const persona = (await personasOf('DE'))[1] as Persona;
    const page = await newPage();
    await page.goto(rp.loginUrl());
    await reach(page, tid(`persona-${persona.id}`));
    await page.click(tid(`persona-${persona.id}`));
    await reach(page, tid('rp-result'));
    // single sign-on: the browser's cookie (SameSite=Lax, sent on the top-level redirect) answers without a page
    const pages: string[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(`${node('DE')}/oidc/authorize`)) pages.push(String(r.status()));
    });
    await page.goto(rp.loginUrl({ prompt: 'none' }));
    await reach(page, tid('rp-result'));
    await page.goto(rp.loginUrl());
    await reach(page, tid('rp-result'));
    expect(pages).toEqual(['302', '302']);
    // prompt=login: the picker again
    await page.goto(rp.loginUrl({ prompt: 'login' }));
    await reach(page, tid(`persona-${persona.id}`));
    await page.click(tid(`persona-${persona.id}`));
    await reach(page, tid('rp-result'));

    expect(rp.results.map((r) => r.outcome)).toEqual(['valid', 'valid', 'valid', 'valid']);
    const claims = rp.results.map((r) => (r.outcome === 'valid' ? r.value.claims : undefined));
    expect(new Set(claims.map((c) => c?.sub)).size).toBe(1);
    // the session's answers keep its authentication time; the new authentication has its own
    expect(claims[1]?.auth_time).toBe(claims[0]?.auth_time);
    expect(claims[2]?.auth_time).toBe(claims[0]?.auth_time);
    expect(claims[3]?.auth_time).toBeGreaterThanOrEqual(claims[0]?.auth_time as number);
  });

  it('OIDC picker: a custom identity typed into the form reaches the relying party', async () => {
    const rp = await oidcRp('EE');
    const page = await newPage();
    await page.goto(rp.loginUrl());
    await reach(page, tid('custom-identity-form'));
    await page.fill(tid('custom-family-name'), 'Tamm');
    await page.fill(tid('custom-given-name'), 'Kadri Õie');
    await page.fill(tid('custom-birthdate'), '1991-02-24');
    await page.screenshot({ path: join(SHOTS, '03-oidc-custom-identity.png'), fullPage: true });
    await page.click(tid('custom-submit'));
    await reach(page, tid('rp-result'));

    const { claims } = validated(rp);
    expect(claims.iss).toBe(node('EE'));
    expect(claims.family_name).toBe('Tamm');
    expect(claims.given_name).toBe('Kadri Õie');
    expect(claims.birthdate).toBe('1991-02-24');
    expect(claims.eidas_person_identifier).toMatch(/^EE\/EE\/[A-Za-z0-9_-]{43}$/);
  });

  it("cross-border: at DE's relying party a citizen chooses EE, logs in at EE's picker and comes back through the hub", async () => {
    const rp = await oidcRp('DE');
    const persona = (await personasOf('EE'))[0] as Persona;
    const page = await newPage();
    const hops: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest()) hops.push(r.url());
    });
    await page.goto(rp.loginUrl());
    await reach(page, tid('country-EE'));
    const eePicker = page.waitForResponse((r) => r.url().startsWith(`${node('EE')}/oidc/authorize?`));
    await page.click(tid('country-EE'));
    // EE's own picker, for the connector of DE (no second country selection there)
    await reach(page, tid(`persona-${persona.id}`));
    expect(new URL(page.url()).origin).toBe(node('EE'));
    expect(await page.locator(tid('country-selection')).count()).toBe(0);
    // DE's connector goes on to one of DE's relying parties, unknown to EE: any web origin
    expect(formAction((await eePicker).headers()['content-security-policy'])).toEqual(["'self'", 'http:', 'https:']);
    await page.screenshot({ path: join(SHOTS, '04-oidc-cross-border-EE-picker.png'), fullPage: true });
    await page.click(tid(`persona-${persona.id}`));
    await reach(page, tid('rp-result'));

    // DE issued the token to its relying party; the person is EE's, with EE's PersonIdentifier for DE
    const { claims } = validated(rp);
    expect(claims.iss).toBe(node('DE'));
    expect(claims.eidas_person_identifier).toMatch(/^EE\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(claims.family_name).toBe(persona.familyName);
    expect(claims.birthdate).toBe(persona.dateOfBirth);
    // the browser went through the hub's relay to EE, and came back to DE's connector
    expect(hops.some((u) => u.startsWith(`${f.urls.hub}/eid/proxy/EE/authorize?`))).toBe(true);
    expect(hops.some((u) => u.startsWith(`${node('DE')}/eid/connector/callback?`))).toBe(true);
  });

  it("Japan's picker: the TEST ONLY simulated card reader logs the card holder in at the relying party", async () => {
    const rp = await oidcRp('JP');
    const persona = (await personasOf('JP'))[1] as Persona;
    const page = await newPage();
    await page.goto(rp.loginUrl());
    await reach(page, tid('card-insert'));
    expect(await page.locator(tid('card-challenge')).textContent()).toMatch(/^kakehashi-card-login\/v1\|/);
    await page.selectOption(tid('card-persona'), persona.id);
    await page.screenshot({ path: join(SHOTS, '05-oidc-card-reader-JP.png'), fullPage: true });
    await page.click(tid('card-insert'));
    await reach(page, tid('rp-result'));

    const { claims } = validated(rp);
    expect(claims.iss).toBe(node('JP'));
    expect(claims.family_name).toBe(persona.familyName);
    expect(claims.birthdate).toBe(persona.dateOfBirth);
    expect(typeof claims.eidas_person_identifier).toBe('string');
  });

  it('SAML: a node-saml service provider sends its AuthnRequest to DE, a persona is picked, the assertion is validated at its ACS', async () => {
    const md = await (await fetch(`${node('DE')}/saml/idp/metadata`)).text();
    const idpCert = (
      /<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(md)?.[1] ?? ''
    ).replace(/\s+/g, '');
    const demoKey = (await (await fetch(`${node('DE')}/saml/demo-sp/key`)).json()) as { privateKeyPem: string };
    const sp = await startSamlSp({
      entityId: DEMO_SP_ENTITY_ID,
      ssoUrl: `${node('DE')}/saml/idp/sso`,
      idpEntityId: `${node('DE')}/saml/idp/metadata`,
      idpCert,
      privateKeyPem: demoKey.privateKeyPem,
      loa: LOA('low'),
    });
    closers.push(() => sp.close());
    const persona = (await personasOf('DE'))[2] as Persona;
    const page = await newPage();
    await page.goto(sp.loginUrl({ RelayState: 'browser-relay' }));
    await reach(page, tid(`persona-${persona.id}`));
    await page.screenshot({ path: join(SHOTS, '06-saml-idp-picker-DE.png'), fullPage: true });
    await page.click(tid(`persona-${persona.id}`));
    // the auto-submitting form posts the Response to the service provider's ACS
    await reach(page, tid('rp-result'));
    await page.screenshot({ path: join(SHOTS, '07-saml-service-provider.png'), fullPage: true });

    expect(sp.results).toHaveLength(1);
    const r = sp.results[0];
    if (r?.outcome !== 'valid') throw new Error(`node-saml refused the Response: ${JSON.stringify(r)}`);
    const { profile, relayState } = r.value;
    expect(relayState).toBe('browser-relay');
    expect(profile.issuer).toBe(`${node('DE')}/saml/idp/metadata`);
    expect(profile.nameID).toMatch(/^DE\/DE\/[A-Za-z0-9_-]{43}$/);
    const attrs = profile.attributes as Record<string, unknown>;
    expect(attrs['http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier']).toBe(profile.nameID);
    expect(attrs['http://eidas.europa.eu/attributes/naturalperson/DateOfBirth']).toBe(persona.dateOfBirth);
  });

  it("SAML connector: DE's country page, EE chosen, EE's IdP page, a persona — DE's ACS validates the assertion", async () => {
    const persona = (await personasOf('EE')).find((p) => (RANK[p.loa] ?? 0) >= 2) as Persona;
    expect(persona).toBeDefined();
    const page = await newPage();
    await page.goto(`${node('DE')}/saml/sp/login?loa=substantial`);
    await reach(page, tid('saml-country-EE'));
    expect(await page.locator(tid('test-only-banner')).textContent()).toContain('TEST ONLY');
    await page.screenshot({ path: join(SHOTS, '08-saml-country-selection-DE.png'), fullPage: true });
    await page.click(tid('saml-country-EE'));
    await reach(page, tid(`persona-${persona.id}`));
    expect(new URL(page.url()).origin).toBe(node('EE'));
    await page.screenshot({ path: join(SHOTS, '09-saml-idp-picker-EE.png'), fullPage: true });
    const answer = page.waitForResponse((res) => res.url() === `${node('DE')}/saml/sp/acs`);
    await page.click(tid(`persona-${persona.id}`));
    const acs = await answer;
    expect(acs.request().method()).toBe('POST');
    const result = (await acs.json()) as {
      valid: boolean;
      identity?: { country: string; personIdentifier?: string; familyName?: string; loa: string };
      verdict: { checks: { rule: string; outcome: string }[] };
    };
    expect(acs.status(), JSON.stringify(result.verdict)).toBe(200);
    expect(result.valid).toBe(true);
    expect(result.identity?.country).toBe('EE');
    expect(result.identity?.personIdentifier).toMatch(/^EE\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(result.identity?.familyName).toBe(persona.familyName);
    expect(RANK[result.identity?.loa ?? '']).toBeGreaterThanOrEqual(2);
    expect(result.verdict.checks.every((c) => c.outcome !== 'failed')).toBe(true);
    // the browser itself arrived there: the page shows the ACS's JSON
    await page.waitForURL(`${node('DE')}/saml/sp/acs`);
  });

  it("Japan's citizen portal: card login in the page, the access records and own data appear", async () => {
    const persona = (await personasOf('JP')).find((p) => p.fourFacts) as Persona;
    // an agency asks about this person first, so the portal has an exchange to show
    const subjects = (
      (await (await fetch(`${node('JP')}/admin/jp/agencies/setagaya-city/subjects`, { headers: ADMIN })).json()) as {
        subjects: { internal_id: string; persona_id?: string; name?: string }[];
      }
    ).subjects;
    expect(subjects.length).toBeGreaterThan(0);
    for (const s of subjects) {
      const res = await fetch(`${node('JP')}/admin/jp/agencies/setagaya-city/queries`, {
        method: 'POST',
        headers: ADMIN,
        body: JSON.stringify({
          internalId: s.internal_id,
          procedure: 'child-allowance',
          provider: 'national-tax-agency',
          items: ['income'],
        }),
      });
      expect(res.status).toBe(200);
    }
    const page = await newPage();
    await page.goto(`${node('JP')}/jp/portal`);
    await reach(page, tid('insert-card'));
    await page.selectOption(tid('persona-select'), persona.id);
    await page.click(tid('insert-card'));
    await page.waitForFunction(
      (sel) => /^Logged in|^Error/.test(document.querySelector(sel)?.textContent ?? ''),
      tid('login-status'),
    );
    expect(await page.locator(tid('login-status')).textContent()).toMatch(/^Logged in with the card/);
    await reach(page, tid('record-row'));
    const rows = await page
      .locator(tid('record-row'))
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    // the agency's question is among them: when, who asked, who provided, why, which items, outcome
    expect(rows).toContainEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      'Setagaya City',
      'National Tax Agency',
      expect.stringContaining('child allowance'),
      'income',
      'provided',
    ]);
    expect(await page.locator('[data-testid^="own-data-"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, '10-jp-portal.png'), fullPage: true });
    await page.click(tid('logout'));
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === 'Not logged in.',
      tid('login-status'),
    );
  });

  it('raised no script error and no content-security-policy violation on any page', () => {
    expect(refusals.filter((e) => /Content Security Policy|Refused to|Uncaught/i.test(e))).toEqual([]);
  });
});
