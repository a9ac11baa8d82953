import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

const COUNTRIES = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];
const PAIRS = COUNTRIES.flatMap((a) => COUNTRIES.filter((b) => b !== a).map((b) => [a, b] as const));
const formValue = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(d));

/**
 * Cross-border eIDAS SAML through the hub: B's connector (SP) signs an AuthnRequest, the hub relays it to A's
 * proxy service (IdP), A answers with a signed Response carrying a signed, encrypted assertion, posted to B's
 * ACS, which decrypts and validates it against the trust fabric (S1–S20).
 */
describe('cross-border eID through the hub (eIDAS SAML), every pair of nodes', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation();
  }, 180_000);
  afterAll(() => f?.dispose());

  const login = async (a: string, b: string, persona: string, loa = 'low') => {
    const start = await f.fetch(`${f.urls.nodes[b]}/saml/sp/login?country=${a}&loa=${loa}&persona=${persona}`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    const relay = new URL(start.headers.get('location') as string);
    const relayed = await f.fetch(relay.href, { redirect: 'manual' });
    const idpUrl = relayed.headers.get('location') as string;
    const idp = await f.fetch(idpUrl);
    const html = await idp.text();
    const acs = await json<{ valid: boolean; identity: Record<string, string>; checks?: unknown[] }>(
      f.fetch(`${f.urls.nodes[b]}/saml/sp/acs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: formValue(html, 'SAMLResponse') ?? '' }),
      }),
    );
    return { relay, relayed, idpUrl, html, acs };
  };

  it.each(PAIRS)('a citizen of %s logs in at the connector of %s', async (a, b) => {
    const r = await login(a, b, `${a.toLowerCase()}-001`);
    expect(`${r.relay.origin}${r.relay.pathname}`).toBe(`${f.urls.hub}/eid/proxy/${a}/saml`);
    expect(r.relayed.status).toBe(302);
    expect(r.idpUrl.startsWith(`${f.urls.nodes[a]}/saml/idp/sso?`)).toBe(true);
    expect(r.html).toContain(`action="${f.urls.nodes[b]}/saml/sp/acs"`);
    expect(r.acs.status).toBe(200);
    expect(r.acs.body.valid).toBe(true);
    expect(r.acs.body.identity.personIdentifier).toMatch(new RegExp(`^${a}/${b}/[A-Za-z0-9_-]+$`));
    const persona = (await json<Record<string, string>>(f.fetch(`${f.urls.nodes[a]}/personas/${a.toLowerCase()}-001`)))
      .body;
    expect(JSON.stringify(r.acs.body.identity)).not.toContain(
      (persona as unknown as { nationalId: { value: string } }).nationalId.value,
    );
  });

  it('records the decoded AuthnRequest at the hub, in the connector’s trace', async () => {
    const r = await login('ES', 'FR', 'es-002');
    const traceId = (r.relay.searchParams.get('kakehashi_trace') as string).split('-')[1] as string;
    const { body } = await json<{
      events: { component: string; operation: string; artefact?: { type?: string; xml?: string } }[];
    }>(f.fetch(`${f.urls.hub}/traces/${traceId}`));
    const relayed = body.events.find((e) =>
      e.operation.startsWith('eid relay: SAML AuthnRequest from the connector of FR'),
    );
    expect(relayed?.artefact?.type).toBe('saml_authn_request');
    expect(relayed?.artefact?.xml).toContain('AuthnRequest');
    expect(body.events.some((e) => e.component === 'node' && e.operation === 'saml: AuthnRequest sent')).toBe(true);
  });

  it("shows the connector's country-selection page to a browser, and its links start the login", async () => {
    const page = await f.fetch(`${f.urls.nodes.IT}/saml/sp/login?loa=low&persona=at-004`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="saml-country-selection"');
    expect(html).toContain('data-testid="saml-country-AT"');
    expect(html).not.toContain('data-testid="saml-country-IT"');
    const href = /data-testid="saml-country-AT" href="([^"]+)"/.exec(html)?.[1]?.replace(/&#38;/g, '&') as string;
    const start = await f.fetch(`${f.urls.nodes.IT}${href}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toContain(`${f.urls.hub}/eid/proxy/AT/saml?`);
    // Without a country and without a browser: a clear problem.
    const api = await f.fetch(`${f.urls.nodes.IT}/saml/sp/login`);
    expect(api.status).toBe(400);
  });

  it('refuses to relay to another destination or for an unregistered issuer', async () => {
    const start = await f.fetch(`${f.urls.nodes.DE}/saml/sp/login?country=AT&loa=low&persona=at-001`, {
      redirect: 'manual',
    });
    const relay = new URL(start.headers.get('location') as string);
    // The same request relayed under another country: its Destination is AT's, not IT's.
    const wrong = await f.fetch(relay.href.replace('/eid/proxy/AT/saml', '/eid/proxy/IT/saml'), { redirect: 'manual' });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { detail: string }).detail).toContain('Destination');
    const garbage = await f.fetch(`${f.urls.hub}/eid/proxy/AT/saml?SAMLRequest=not-deflate`, { redirect: 'manual' });
    expect(garbage.status).toBe(400);
    const none = await f.fetch(`${f.urls.hub}/eid/proxy/AT/saml`, { redirect: 'manual' });
    expect(none.status).toBe(400);
    expect((await f.fetch(`${f.urls.hub}/health`)).status).toBe(200);
  });
});
